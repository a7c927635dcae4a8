import CribleCore
import Foundation

/// Verdicts for people: one block per document, labels with scores, the action and why, and the
/// strongest evidence with the words that triggered it.
public struct TextReporter: Reporter {
    public static let identifier = "text"
    let engine: Engine
    let colors: Bool
    /// How many pieces of evidence to show per document (the JSON output has them all).
    public var evidenceShown = 6

    public init(engine: Engine, colors: Bool = false) {
        self.engine = engine
        self.colors = colors
    }

    func paint(_ text: String, _ code: String) -> String { colors ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }

    func actionText(_ action: Action) -> String {
        switch action {
        case .allow: paint("ALLOW", "32")
        case .review: paint("REVIEW", "33;1")
        case .block: paint("BLOCK", "31;1")
        }
    }

    public func report(_ items: [BatchItem]) -> String {
        var stream = Stream(reporter: self)
        return items.map { stream.piece(for: $0) }.joined() + stream.closing()
    }

    /// The report written as the batch goes: one piece per item, in order, then the totals, so a
    /// large batch is printed without being held whole (as one string or as verdicts).
    public struct Stream: Sendable {
        let reporter: TextReporter
        var counts: [Action: Int] = [:]
        var failures = 0
        var currentFile: String?

        public init(reporter: TextReporter) { self.reporter = reporter }

        public mutating func piece(for item: BatchItem) -> String {
            piece(for: item, rendered: reporter.block(for: item))
        }

        /// The item's piece from its block: the file heading when the item opens a new
        /// file, and the item counted for the totals.
        public mutating func piece(for item: BatchItem, rendered: String) -> String {
            var output = ""
            // Documents from one file (JSONL lines, feed items) are grouped under its name.
            if case .verdict(let verdict) = item, let file = verdict.document.origin?.file, file != verdict.document.id {
                if file != currentFile {
                    output += reporter.paint("── \(file)", "2") + "\n\n"
                    currentFile = file
                }
            } else if case .verdict = item {
                currentFile = nil
            }
            switch item {
            case .failure: failures += 1
            case .verdict(let verdict): counts[verdict.action, default: 0] += 1
            }
            return output + rendered
        }

        public func closing() -> String {
            let total = counts.values.reduce(0, +)
            var output = "\(total) document\(total == 1 ? "" : "s"): \(counts[.allow] ?? 0) allow, \(counts[.review] ?? 0) review, \(counts[.block] ?? 0) block"
            if failures > 0 { output += ", \(failures) unreadable" }
            return output + "\n"
        }
    }

    /// The part of an item's piece that depends on no other item, which a batch can make on
    /// any core (``BatchClassifier/classify(_:rendering:inOrder:progress:keepAfterOutput:)``).
    public func block(for item: BatchItem) -> String {
        switch item {
        case .failure(let failure):
            "\(paint(failure.id, "1"))\n  \(paint("ERROR", "31;1")): \(failure.message)\n\n"
        case .verdict(let verdict):
            block(for: verdict) + "\n"
        }
    }

    func block(for verdict: Verdict) -> String {
        var lines: [String] = []
        let language = verdict.language.declared ? verdict.language.code : "\(verdict.language.code) \(format(verdict.language.confidence))"
        lines.append("\(paint(verdict.document.id, "1"))  [\(language)]  \(actionText(verdict.action))")
        if let title = verdict.document.title, !title.isEmpty { lines.append("  title:     \(title)") }
        let labels = verdict.labels.filter { !$0.label.hasPrefix("lang/") && !$0.label.hasPrefix("sentiment/") }
        lines.append("  labels:    " + (labels.isEmpty ? "(none)" : labels.map { label in
            "\(label.label) \(format(label.score))" + (label.iptc.map { " [\($0)]" } ?? "")
        }.joined(separator: ", ")))
        let sentiment = verdict.sentiment
        let polarity = sentiment.label.hasPrefix("sentiment/") ? String(sentiment.label.dropFirst("sentiment/".count)) : sentiment.label
        lines.append("  sentiment: \(polarity) (\(TextFormatting.fixed(sentiment.score, decimals: 2, sign: true)))")
        for reason in verdict.reasons.prefix(3) {
            lines.append("  because:   \(reason.label) \(format(reason.score)) ≥ \(format(reason.threshold)) → \(reason.action.rawValue) (policy rule \(reason.policyRule))")
        }
        let scorer = engine.scorer
        // Each contribution is computed once, not at every comparison of the sort; the sort is
        // stable, so equal contributions keep the evidence order.
        let ranked = verdict.evidence.filter { $0.label != nil }
            .map { (evidence: $0, strength: abs(scorer.contribution(of: $0, titleRange: verdict.document.titleRange,
                                                                     tokens: verdict.text.tokenCount))) }
            .sorted { $0.strength > $1.strength }
            .map(\.evidence)
        for item in ranked.prefix(evidenceShown) {
            var words: [String] = []
            for span in item.spans where words.count < 4 {
                let word = TextFormatting.oneLine(verdict.text.originalString(span))
                if !words.contains("«\(word)»") { words.append("«\(word)»") }
            }
            let hits = item.hits.count > 1 ? " ×\(item.hits.count)" : ""
            lines.append("  evidence:  \(item.ruleID)\(hits) → \(item.label!): \(words.joined(separator: " "))")
        }
        if ranked.count > evidenceShown { lines.append("             … \(ranked.count - evidenceShown) more (see --format json)") }
        for issue in verdict.issues { lines.append("  warning:   \(issue.source): \(issue.message)") }
        for suppression in verdict.unusedSuppressions {
            let position = LineIndex(verdict.text.original).position(ofByte: suppression.directive.lowerBound)
            lines.append("  unused:    \(verdict.text.originalString(suppression.directive)) at line \(position.line) suppresses nothing")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func format(_ score: Double) -> String { TextFormatting.fixed(score, decimals: 2) }
}
