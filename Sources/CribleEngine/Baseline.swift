import CribleCore
import Foundation

/// Findings a team has accepted, so CI fails only on new ones.
///
/// An entry is keyed on the document, the rule and the matched text (folded), not on the line or
/// the message: moving a paragraph, or rewording a rule's description, does not break the baseline.
/// The same text matched twice in one document is two entries.
public struct Baseline: Sendable {
    public struct Entry: Codable, Sendable, Hashable {
        public var document: String
        public var rule: String
        public var label: String
        public var text: String
        public var fingerprint: String
    }

    public var entries: [Entry]

    public init(entries: [Entry]) { self.entries = entries }

    /// The baseline of a batch: every finding behind a `review` or `block` decision.
    public init(items: [BatchItem]) {
        entries = items.flatMap { item -> [Entry] in
            guard case .verdict(let verdict) = item else { return [] }
            return Finding.findings(in: verdict).map { Baseline.entry(for: $0) }
        }
    }

    static func entry(for finding: Finding) -> Entry {
        let folded = TextView(finding.text).foldedString
        var hasher = SHA256()
        hasher.update(Array("\(finding.verdict.document.id)\u{0}\(finding.evidence.ruleID)\u{0}\(folded)".utf8))
        return Entry(document: finding.verdict.document.id, rule: finding.evidence.ruleID, label: finding.label,
                     text: folded, fingerprint: hasher.finalize().hexString)
    }

    public struct Comparison: Sendable {
        public var new: [Entry] = []
        public var unchanged: [Entry] = []
        public var fixed: [Entry] = []
        /// Documents with at least one new finding: only these can fail the run.
        public var documentsWithNewFindings: Set<String> = []
    }

    public func compare(with items: [BatchItem]) -> Comparison {
        var remaining: [String: Int] = [:]
        for entry in entries { remaining[entry.fingerprint, default: 0] += 1 }
        var comparison = Comparison()
        for entry in Baseline(items: items).entries {
            if let count = remaining[entry.fingerprint], count > 0 {
                remaining[entry.fingerprint] = count - 1
                comparison.unchanged.append(entry)
            } else {
                comparison.new.append(entry)
                comparison.documentsWithNewFindings.insert(entry.document)
            }
        }
        var left = remaining
        for entry in entries where (left[entry.fingerprint] ?? 0) > 0 {
            left[entry.fingerprint]! -= 1
            comparison.fixed.append(entry)
        }
        return comparison
    }

    public func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(BaselineFile(version: 1, findings: entries)).write(to: URL(fileURLWithPath: path))
    }

    public static func read(from path: String) throws -> Baseline {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return Baseline(entries: try JSONDecoder().decode(BaselineFile.self, from: data).findings)
    }

    struct BaselineFile: Codable {
        var version: Int
        var findings: [Entry]
    }
}
