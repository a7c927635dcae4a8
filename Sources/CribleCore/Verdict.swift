/// What the policy decided for a document. Ordered by severity.
public enum Action: String, Sendable, Codable, CaseIterable, Comparable {
    case allow, review, block
    public var severity: Int {
        switch self {
        case .allow: 0
        case .review: 1
        case .block: 2
        }
    }
    public static func < (lhs: Action, rhs: Action) -> Bool { lhs.severity < rhs.severity }
}

/// A label given to a document with its score.
public struct LabelScore: Sendable, Hashable {
    public var label: String
    public var score: Double
    /// IPTC Media Topic code, for topic labels that have one.
    public var iptc: String?
    public init(label: String, score: Double, iptc: String? = nil) {
        self.label = label
        self.score = score
        self.iptc = iptc
    }
}

public struct LanguageGuess: Sendable, Hashable {
    /// ISO 639-1 code, or `und` when undecidable.
    public var code: String
    /// In [0, 1].
    public var confidence: Double
    /// Whether the language came with the input rather than being identified.
    public var declared: Bool
    public init(code: String, confidence: Double, declared: Bool = false) {
        self.code = code
        self.confidence = confidence
        self.declared = declared
    }
    public static let undetermined = LanguageGuess(code: "und", confidence: 0)
}

/// A lexicon term found in the text, with the valence it contributed after negation, boosters,
/// contrast, concession and emphasis were applied.
public struct SentimentTerm: Sendable, Hashable {
    public var span: Range<Int>
    public var term: String
    public var valence: Double
    public var adjustedValence: Double
    public var modifiers: [String]
    public init(span: Range<Int>, term: String, valence: Double, adjustedValence: Double, modifiers: [String]) {
        self.span = span
        self.term = term
        self.valence = valence
        self.adjustedValence = adjustedValence
        self.modifiers = modifiers
    }
}

public struct SentimentResult: Sendable, Hashable {
    /// VADER's "compound" convention: in [-1, 1]; below -0.05 negative, above 0.05 positive.
    public var score: Double
    /// `sentiment/positive`, `sentiment/negative`, `sentiment/neutral` or `sentiment/mixed`.
    public var label: String
    /// Share of positive and negative valence mass, each in [0, 1].
    public var positive: Double
    public var negative: Double
    public var terms: [SentimentTerm]
    public init(score: Double, label: String, positive: Double, negative: Double, terms: [SentimentTerm]) {
        self.score = score
        self.label = label
        self.positive = positive
        self.negative = negative
        self.terms = terms
    }
    public static let neutral = SentimentResult(score: 0, label: "sentiment/neutral", positive: 0, negative: 0, terms: [])
}

/// Why the policy chose an action: which policy rule, on which label and score.
public struct PolicyReason: Sendable, Hashable {
    public var action: Action
    public var label: String
    public var score: Double
    public var threshold: Double
    public var policyRule: String
    public init(action: Action, label: String, score: Double, threshold: Double, policyRule: String) {
        self.action = action
        self.label = label
        self.score = score
        self.threshold = threshold
        self.policyRule = policyRule
    }
}

/// Everything Crible says about one document.
public struct Verdict: Sendable {
    public var document: Document
    public var language: LanguageGuess
    /// Labels at or above their threshold, best first.
    public var labels: [LabelScore]
    /// Every label with any evidence, including those below threshold (for `explain`).
    public var candidateScores: [LabelScore]
    public var sentiment: SentimentResult
    public var evidence: [Evidence]
    public var action: Action
    public var reasons: [PolicyReason]
    public var issues: [ClassificationIssue]
    public var text: TextView
    /// Inline suppressions that suppressed nothing (stale ones to remove).
    public var unusedSuppressions: [Suppression] = []
    /// How many hits inline suppressions removed.
    public var suppressedHits = 0

    public init(document: Document, language: LanguageGuess, labels: [LabelScore], candidateScores: [LabelScore],
                sentiment: SentimentResult, evidence: [Evidence], action: Action, reasons: [PolicyReason],
                issues: [ClassificationIssue], text: TextView, unusedSuppressions: [Suppression] = [], suppressedHits: Int = 0) {
        self.document = document
        self.language = language
        self.labels = labels
        self.candidateScores = candidateScores
        self.sentiment = sentiment
        self.evidence = evidence
        self.action = action
        self.reasons = reasons
        self.issues = issues
        self.text = text
        self.unusedSuppressions = unusedSuppressions
        self.suppressedHits = suppressedHits
    }

    /// The verdict with its text compacted (see ``TextView/compacted()``), for a batch that keeps
    /// verdicts waiting to be written. Consuming, so that the verdict is moved rather than
    /// copied: changed in place and then wrapped, it was copied, each of its twenty-odd
    /// references retained and released.
    public consuming func withCompactedText() -> Verdict {
        var verdict = self
        verdict.text = verdict.text.compacted()
        return verdict
    }

    public func score(of label: String) -> Double {
        candidateScores.first { $0.label == label }?.score ?? 0
    }
}
