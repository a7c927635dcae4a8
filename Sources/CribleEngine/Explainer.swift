import CribleCore
import Foundation

/// A verdict explained for a person: the text with what matched highlighted, then for every label
/// the rules behind its score, the sentiment terms, and the policy rules that chose the action.
public struct Explainer: Sendable {
    public let engine: Engine
    /// ANSI colours (on a terminal) or plain `[[…]]` markers.
    public let colors: Bool

    public init(engine: Engine, colors: Bool) {
        self.engine = engine
        self.colors = colors
    }

    public func explain(_ verdict: Verdict) -> String {
        var output = "\(verdict.document.id)  [\(verdict.language.code)\(verdict.language.declared ? ", declared" : String(format: " %.2f", verdict.language.confidence))]\n\n"
        output += highlighted(verdict) + "\n\n"
        let scorer = engine.scorer
        let tokens = verdict.text.tokenCount
        let title = verdict.document.titleRange
        let byLabel = Dictionary(grouping: verdict.evidence.filter { $0.label != nil }, by: { $0.label! })
        output += String(format: "length discount: %.2f (%d tokens)\n", scorer.lengthDiscount(tokens: tokens), tokens)
        for candidate in verdict.candidateScores where byLabel[candidate.label] != nil {
            let threshold = engine.policy.threshold(for: candidate.label)
            let given = candidate.score >= threshold
            output += "\n" + bold(candidate.label) + String(format: "  score %.2f %@ threshold %.2f → %@", candidate.score,
                                                            given ? "≥" : "<", threshold, given ? "given" : "not given")
            if let iptc = candidate.iptc { output += "  [\(iptc)]" }
            output += "\n"
            let rows = byLabel[candidate.label]!.sorted {
                abs(scorer.contribution(of: $0, titleRange: title, tokens: tokens)) > abs(scorer.contribution(of: $1, titleRange: title, tokens: tokens))
            }
            output += "  rule                                           hits  weight  contribution  matched\n"
            for item in rows {
                let matched = uniqueTexts(item, verdict).prefix(4).map { "«\($0)»" }.joined(separator: " ")
                output += "  " + item.ruleID.padding(toLength: 45, withPad: " ", startingAt: 0)
                    + String(format: "  %4d  %6.2f  %12.2f  ", item.hits.count, item.weight,
                             scorer.contribution(of: item, titleRange: title, tokens: tokens)) + matched + "\n"
            }
        }
        let helpers = verdict.evidence.filter { $0.label == nil }
        if !helpers.isEmpty {
            output += "\nsignals used by composite rules: " + helpers.map { "\($0.ruleID) (\(uniqueTexts($0, verdict).prefix(2).joined(separator: ", ")))" }.joined(separator: "; ") + "\n"
        }
        let sentiment = verdict.sentiment
        output += "\n" + bold(sentiment.label) + String(format: "  score %+.3f", sentiment.score) + "\n"
        for term in sentiment.terms.prefix(30) {
            output += String(format: "  %@  %+.2f → %+.2f", "«\(verdict.text.originalString(term.span))»", term.valence, term.adjustedValence)
            output += term.modifiers.isEmpty ? "\n" : "  (\(term.modifiers.joined(separator: ", ")))\n"
        }
        if sentiment.terms.count > 30 { output += "  … \(sentiment.terms.count - 30) more terms\n" }
        output += "\npolicy \(engine.policy.name)" + (engine.policy.source.map { " (\($0))" } ?? "") + "\n"
        if verdict.reasons.isEmpty {
            output += "  no policy rule applies → allow\n"
        } else {
            for (index, reason) in verdict.reasons.enumerated() {
                output += String(format: "  %@: %@ %.2f ≥ %.2f → %@", reason.policyRule, reason.label, reason.score, reason.threshold, reason.action.rawValue)
                output += index == 0 ? "   (decides)\n" : "\n"
            }
        }
        output += "action: \(bold(verdict.action.rawValue.uppercased()))\n"
        for issue in verdict.issues { output += "warning: \(issue.source): \(issue.message)\n" }
        return output
    }

    func uniqueTexts(_ evidence: Evidence, _ verdict: Verdict) -> [String] {
        var seen: [String] = []
        for span in evidence.spans {
            let text = verdict.text.originalString(span).replacingOccurrences(of: "\n", with: " ")
            if !seen.contains(text) { seen.append(text) }
        }
        return seen
    }

    /// The original text with every span of labelled evidence marked; overlapping spans merge.
    func highlighted(_ verdict: Verdict) -> String {
        let spans = verdict.evidence.filter { $0.label != nil }.flatMap(\.spans).sorted { $0.lowerBound < $1.lowerBound }
        var merged: [Range<Int>] = []
        for span in spans {
            if let last = merged.last, span.lowerBound <= last.upperBound {
                merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, span.upperBound)
            } else {
                merged.append(span)
            }
        }
        let bytes = verdict.text.original
        var output = ""
        var position = 0
        for span in merged {
            output += String(decoding: bytes[position..<span.lowerBound], as: UTF8.self)
            let marked = String(decoding: bytes[span], as: UTF8.self)
            output += colors ? "\u{1B}[1;43;30m\(marked)\u{1B}[0m" : "[[\(marked)]]"
            position = span.upperBound
        }
        output += String(decoding: bytes[position...], as: UTF8.self)
        return output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func bold(_ text: String) -> String { colors ? "\u{1B}[1m\(text)\u{1B}[0m" : text }
}
