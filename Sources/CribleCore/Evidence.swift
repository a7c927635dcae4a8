/// Where a piece of evidence came from.
public enum EvidenceSource: Sendable, Hashable {
    /// A rule of a rule file (the path is the file it was loaded from).
    case rule(file: String)
    /// A Swift classifier plugin.
    case plugin(id: String)
}

/// One occurrence of what a rule or plugin looks for. Usually one span; a proximity rule's hit
/// has two, a composite's has those of the rules it combines.
public struct Hit: Sendable, Hashable {
    /// Nearly every hit has one span (a keyword, a regex match) or two (a proximity pair); those
    /// are stored inline, so that the 80-odd hits of a typical article cost no allocation each.
    /// Composite hits with more spans keep them in an array. Each count has one representation,
    /// so the synthesised equality compares spans.
    @usableFromInline
    enum Storage: Sendable, Hashable {
        case none
        case one(Range<Int>)
        case two(Range<Int>, Range<Int>)
        case many([Range<Int>])

        @usableFromInline
        init(_ spans: [Range<Int>]) {
            switch spans.count {
            case 0: self = .none
            case 1: self = .one(spans[0])
            case 2: self = .two(spans[0], spans[1])
            default: self = .many(spans)
            }
        }
    }

    @usableFromInline var storage: Storage

    /// Byte ranges into the document's original content.
    public var spans: [Range<Int>] {
        get {
            switch storage {
            case .none: []
            case .one(let span): [span]
            case .two(let first, let second): [first, second]
            case .many(let spans): spans
            }
        }
        set { storage = Storage(newValue) }
    }

    /// The spans read in place: iterating ``spans`` builds an array, which on the hot paths (the
    /// scorer, the JSON writer) was a third of the allocations made per document.
    @inlinable public var spanView: SpanView { SpanView(storage: storage) }

    /// The spans of a hit as a collection over its storage.
    ///
    /// Inlinable, like the other readers of a hit's spans: the scorer, composites and reporters
    /// read them from other modules, and a call for each count and each span was 1 % of classifying.
    public struct SpanView: RandomAccessCollection, Sendable {
        @usableFromInline let storage: Storage
        @inlinable init(storage: Storage) { self.storage = storage }
        @inlinable public var startIndex: Int { 0 }
        @inlinable public var endIndex: Int {
            switch storage {
            case .none: 0
            case .one: 1
            case .two: 2
            case .many(let spans): spans.count
            }
        }
        @inlinable public subscript(position: Int) -> Range<Int> {
            switch storage {
            case .none: preconditionFailure("a hit without spans has no span \(position)")
            case .one(let span): span
            case .two(let first, let second): position == 0 ? first : second
            case .many(let spans): spans[position]
            }
        }
    }

    /// The first span, read without building the array of ``spans``.
    @inlinable public var firstSpan: Range<Int>? {
        switch storage {
        case .none: nil
        case .one(let span), .two(let span, _): span
        case .many(let spans): spans.first
        }
    }

    @inlinable public init(spans: [Range<Int>]) { storage = Storage(spans) }
    @inlinable public init(_ span: Range<Int>) { storage = .one(span) }
    @inlinable public init(_ first: Range<Int>, _ second: Range<Int>) { storage = .two(first, second) }
}

/// What a detector found: "rule R, evidence for label L with weight W, here and here".
///
/// Findings are data. Only "could not run" is an error (see ``ClassificationIssue``).
public struct Evidence: Sendable, Hashable {
    /// Who found it, in one shared object: a rule's evidence is copied from a template for each
    /// document, then handed from stage to stage, and its three strings (rule, label, file) were
    /// each retained and released at every copy. A rule set builds one origin per rule.
    final class Origin: Sendable {
        let ruleID: String
        let label: String?
        let source: EvidenceSource
        let note: String?

        init(ruleID: String, label: String?, source: EvidenceSource, note: String?) {
            self.ruleID = ruleID
            self.label = label
            self.source = source
            self.note = note
        }

        func with(ruleID: String? = nil, label: String?? = nil, source: EvidenceSource? = nil, note: String?? = nil) -> Origin {
            Origin(ruleID: ruleID ?? self.ruleID, label: label ?? self.label, source: source ?? self.source, note: note ?? self.note)
        }
    }

    private var origin: Origin

    public var ruleID: String {
        get { origin.ruleID }
        set { origin = origin.with(ruleID: newValue) }
    }
    /// `nil` for helper rules that only feed composites.
    public var label: String? {
        get { origin.label }
        set {
            origin = origin.with(label: .some(newValue))
            labelNumber = -1
        }
    }
    /// In [-1, 1]: how much one hit in a short text says about the label; negative weights are
    /// counter-evidence.
    public var weight: Double
    /// A slice, so that the evidence of a document's rules can share one array: an array per
    /// piece of evidence was an allocation for each of the thirty-odd rules an article fires.
    public var hits: ArraySlice<Hit>
    public var source: EvidenceSource {
        get { origin.source }
        set { origin = origin.with(source: newValue) }
    }
    /// A short human explanation added by plugins ("IBAN, checksum valid").
    public var note: String? {
        get { origin.note }
        set { origin = origin.with(note: .some(newValue)) }
    }
    /// The label's number in the rule set whose rule found this (`-1` when not known), so that
    /// the scorer adds evidence up in an array instead of hashing the label's name for each
    /// piece (about two dozen per article). A cache of `label`, not part of the value: equality
    /// and hashing leave it out, and a new label clears it. When it is set, the label is not `nil`.
    package var labelNumber: Int32 = -1

    public init(ruleID: String, label: String?, weight: Double, hits: [Hit],
                source: EvidenceSource, note: String? = nil) {
        origin = Origin(ruleID: ruleID, label: label, source: source, note: note)
        self.weight = weight
        self.hits = hits[...]
    }

    /// Evidence of a rule whose label has `labelNumber` in its rule set.
    package init(ruleID: String, label: String?, labelNumber: Int32, weight: Double, hits: [Hit], source: EvidenceSource) {
        self.init(ruleID: ruleID, label: label, weight: weight, hits: hits, source: source)
        self.labelNumber = labelNumber
    }

    /// The same evidence with an origin of its own, whose strings have storage of their own:
    /// see ``RuleScratch`` for why each job copies its rule set's templates once.
    package func withOwnOrigin() -> Evidence {
        func own(_ text: String) -> String { String(decoding: Array(text.utf8), as: UTF8.self) }
        var copy = self
        let source: EvidenceSource = switch origin.source {
        case .rule(let file): .rule(file: own(file))
        case .plugin(let id): .plugin(id: own(id))
        }
        copy.origin = Origin(ruleID: own(origin.ruleID), label: origin.label.map(own), source: source, note: origin.note.map(own))
        return copy
    }

    /// Whether both share one origin object.
    package func sharesOrigin(with other: Evidence) -> Bool { origin === other.origin }

    public static func == (lhs: Evidence, rhs: Evidence) -> Bool {
        (lhs.origin === rhs.origin || (lhs.ruleID == rhs.ruleID && lhs.label == rhs.label && lhs.source == rhs.source
                                        && lhs.note == rhs.note)) && lhs.weight == rhs.weight && lhs.hits == rhs.hits
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(ruleID)
        hasher.combine(label)
        hasher.combine(weight)
        hasher.combine(hits)
        hasher.combine(source)
        hasher.combine(note)
    }

    public var spans: [Range<Int>] { hits.flatMap(\.spans) }
}

/// Something that went wrong while classifying one document, without stopping the batch:
/// a regex that hit its match limit, a plugin that failed.
public struct ClassificationIssue: Sendable, Hashable {
    public var source: String
    public var message: String
    public init(source: String, message: String) {
        self.source = source
        self.message = message
    }
}
