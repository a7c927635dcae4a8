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
    /// Byte ranges into the document's original content.
    public var spans: [Range<Int>]
    public init(spans: [Range<Int>]) { self.spans = spans }
    public init(_ span: Range<Int>) { self.spans = [span] }
}

/// What a detector found: "rule R, evidence for label L with weight W, here and here".
///
/// Findings are data. Only "could not run" is an error (see ``ClassificationIssue``).
public struct Evidence: Sendable, Hashable {
    public var ruleID: String
    /// `nil` for helper rules that only feed composites.
    public var label: String?
    /// In [-1, 1]: how much one hit in a short text says about the label; negative weights are
    /// counter-evidence.
    public var weight: Double
    public var hits: [Hit]
    public var source: EvidenceSource
    /// A short human explanation added by plugins ("IBAN, checksum valid").
    public var note: String?

    public init(ruleID: String, label: String?, weight: Double, hits: [Hit],
                source: EvidenceSource, note: String? = nil) {
        self.ruleID = ruleID
        self.label = label
        self.weight = weight
        self.hits = hits
        self.source = source
        self.note = note
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
