import CribleCore

/// A place in a source file, for diagnostics and for "this example was written at …".
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }
    public var description: String { "\(file):\(line):\(column)" }
}

/// A value read from a file, with where it was written.
public struct Located<Value: Sendable>: Sendable {
    public var value: Value
    public var location: SourceLocation
    public init(_ value: Value, _ location: SourceLocation) {
        self.value = value
        self.location = location
    }
}

/// Everything one rule file declares.
public struct RuleFile: Sendable {
    public var path: String
    public var labels: [LabelDefinition] = []
    public var rules: [RuleDefinition] = []
    /// Rules with an error in their fields (reported while parsing): never compiled into a rule
    /// set, but their label and patterns are checked, so that one run reports every mistake.
    public var rulesWithErrors: [RuleDefinition] = []
    public var lexicon: LexiconDefinition?
    public var plugins: [ExternalPluginDefinition] = []
    public var pluginConfigurations: [PluginConfiguration] = []
}

/// Options for a Swift plugin, given in a rule pack (`plugin: pii` with `options:`).
public struct PluginConfiguration: Sendable {
    public var id: String
    /// The plugin's id (`pii`, `spam-signals`…).
    public var plugin: String
    public var options: PluginOptions
    /// Where each option was written, to report a bad value at its place.
    public var optionLocations: [String: SourceLocation]
    public var location: SourceLocation
}

/// A classifier run as a separate program that speaks JSON lines on standard input and output,
/// for models written in other languages.
public struct ExternalPluginDefinition: Sendable {
    public struct Example: Sendable {
        public var text: String
        public var labels: [String]
        public var location: SourceLocation
    }

    public var id: String
    /// The program and its arguments; relative paths are resolved against the rule file's folder.
    public var command: [String]
    public var labels: [String]
    public var languages: [String]?
    public var description: String
    /// Seconds allowed per document before the program is stopped and restarted.
    public var timeout: Double
    public var examples: [Example]
    public var location: SourceLocation
}

public struct LabelDefinition: Sendable {
    public var name: String
    public var description: String?
    public var iptc: String?
    public var location: SourceLocation
}

public enum RuleScope: String, Sendable, CaseIterable {
    case any, title, body
}

public enum RuleKind: Sendable {
    /// Word-bounded phrases matched on folded tokens.
    case keywords([Located<String>])
    /// PCRE2 patterns.
    case regex([Located<String>])
    /// Two keyword lists whose hits must be at most `within` tokens apart.
    case near(a: [Located<String>], b: [Located<String>], within: Int)
    /// A rule over other rules.
    case composite(all: [Located<String>], any: [Located<String>], atLeast: Int, none: [Located<String>])

    public var name: String {
        switch self {
        case .keywords: "keywords"
        case .regex: "regex"
        case .near: "near"
        case .composite: "composite"
        }
    }
}

public struct RuleExamples: Sendable {
    public var match: [Located<String>] = []
    public var noMatch: [Located<String>] = []
}

public struct RuleDefinition: Sendable {
    public var id: String
    public var label: String?
    public var description: String
    public var languages: [String]?
    public var weight: Double
    public var scope: RuleScope
    public var minCount: Int
    public var caseSensitive: Bool
    /// Whether the rule's one-word keywords are also found written in disguise (`c0nnard`,
    /// `f*ck`, `c o n n a r d`): see ``DisguisedWords``.
    public var disguised: Bool = false
    public var kind: RuleKind
    public var examples: RuleExamples
    public var location: SourceLocation
}

/// A sentiment lexicon file: valences and the words that modify them.
public struct LexiconDefinition: Sendable {
    public var id: String
    public var language: String
    public var valences: [Located<LexiconEntry>] = []
    public var boosters: [Located<LexiconEntry>] = []
    public var negators: [Located<String>] = []
    /// Words that negate the term of this file right before them (`negators_after`): spoken and
    /// tweeted French drops the *ne* of a negated verb (*j'adore pas*, *ça marche jamais*).
    public var negatorsAfter: [Located<String>] = []
    public var contrast: [Located<String>] = []
    /// Words that open a concession (*malgré*, *bien que*, *although*); phrases of one or more words.
    public var concessive: [Located<String>] = []
    public var examples: LexiconExamples = LexiconExamples()
    public var location: SourceLocation
}

public struct LexiconEntry: Sendable, Hashable {
    public var term: String
    public var value: Double
}

public struct LexiconExamples: Sendable {
    public var positive: [Located<String>] = []
    public var negative: [Located<String>] = []
    public var neutral: [Located<String>] = []
}
