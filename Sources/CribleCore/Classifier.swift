/// What a detector sees of a document: the document, its text view and its language.
public struct DocumentContext: Sendable {
    public let document: Document
    public let text: TextView
    public let language: LanguageGuess
    public init(document: Document, text: TextView, language: LanguageGuess) {
        self.document = document
        self.text = text
        self.language = language
    }
}

/// A Swift classifier plugin.
///
/// One required method. A plugin sees the same text view and offsets as rules, and its evidence
/// goes through the same scorer, policy and reporters, so users cannot tell (and need not care)
/// whether a label came from a rule file or from code.
public protocol Classifier: Sendable {
    /// Who the plugin is, what it may emit, and the examples that test it.
    var descriptor: ClassifierDescriptor { get }
    /// Evidence for this document. Throwing means "could not run"; the document is still
    /// classified by everything else and the failure is reported with it.
    func classify(_ context: DocumentContext) throws -> [Evidence]
}

/// A plugin that identifies the language of a text. It runs before every other detector, since
/// rules are gated by language.
public protocol LanguageIdentifier: Sendable {
    var descriptor: ClassifierDescriptor { get }
    func identify(_ text: TextView) -> LanguageGuess
}

public struct ClassifierDescriptor: Sendable {
    public var id: String
    public var labels: [String]
    /// `nil` for plugins that work on any language.
    public var languages: [String]?
    public var summary: String
    public var examples: [ClassifierExample]
    public init(id: String, labels: [String], languages: [String]? = nil, summary: String,
                examples: [ClassifierExample]) {
        self.id = id
        self.labels = labels
        self.languages = languages
        self.summary = summary
        self.examples = examples
    }
}

/// A plugin example: a text (↓ markers allowed around the spans the plugin must report) and the
/// labels it must emit; an empty list means the plugin must stay silent.
public struct ClassifierExample: Sendable {
    public var text: String
    public var labels: [String]
    public var language: String?
    public init(_ text: String, labels: [String], language: String? = nil) {
        self.text = text
        self.labels = labels
        self.language = language
    }
}

/// A plugin that only makes sense once the language is known: the engine skips it on documents
/// whose language is undetermined, instead of the plugin checking for itself.
public protocol LanguageDependentClassifier: Classifier {}

/// A plugin that keeps state while it works on one document (counters, scratch buffers).
///
/// A plugin instance is shared by every task that classifies, so it must not hold mutable
/// per-document state itself; this protocol gives each document its own, created by the plugin
/// and dropped when the document is done.
public protocol StatefulClassifier: Classifier {
    associatedtype DocumentState
    func makeState(for context: DocumentContext) -> DocumentState
    func classify(_ context: DocumentContext, state: inout DocumentState) throws -> [Evidence]
}

extension StatefulClassifier {
    public func classify(_ context: DocumentContext) throws -> [Evidence] {
        var state = makeState(for: context)
        return try classify(context, state: &state)
    }
}
