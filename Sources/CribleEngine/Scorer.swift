import CribleCore
import Foundation

/// Turns evidence into one score in [0, 1] per label.
///
/// Each rule's weight is read as "how sure one hit in a short text makes us". Hits of one rule
/// have diminishing returns (the second mention says less than the first), and the whole is
/// discounted by document length, so that a long article is not labelled with everything it
/// happens to mention once:
///
///     e(rule) = (1 + log2(hits)) / L,   L = max(1, sqrt(tokens / 200)),   hits wholly in the title count double
///     score   = (1 - Π over positive rules (1 - w)^e) × Π over negative rules (1 - |w|)^e
///
/// This is a noisy-OR: independent pieces of evidence each close part of the remaining gap to
/// certainty, which keeps scores in [0, 1] however many rules fire, and lets counter-evidence
/// (negative weights) pull a score down without a separate mechanism.
public struct Scorer: Sendable {
    /// Tokens up to which a document counts as "short" (no length discount).
    public var referenceLength: Double
    /// How much a hit in the title counts compared with one in the body.
    public var titleFactor: Double

    public init(referenceLength: Double = 200, titleFactor: Double = 2) {
        self.referenceLength = referenceLength
        self.titleFactor = titleFactor
    }

    public func lengthDiscount(tokens: Int) -> Double {
        max(1, (Double(tokens) / referenceLength).squareRoot())
    }

    /// The exponent one rule's evidence gets: its effective hit count, discounted by length.
    public func exposure(of evidence: Evidence, titleRange: Range<Int>?, discount: Double) -> Double {
        var count = 0.0
        for hit in evidence.hits {
            // A hit is in the title when all its spans are: a composite whose context word is in
            // the headline but whose substance is in the body is a body hit.
            let inTitle = titleRange.map { range in
                !hit.spanView.isEmpty && hit.spanView.allSatisfy { range.contains($0.lowerBound) }
            } ?? false
            count += inTitle ? titleFactor : 1
        }
        guard count > 0 else { return 0 }
        return (1 + log2(count)) / discount
    }

    public func scores(for evidence: [Evidence], titleRange: Range<Int>?, tokens: Int) -> [String: Double] {
        let discount = lengthDiscount(tokens: tokens)
        var remaining: [String: Double] = [:]   // Π (1 - w)^e over positive evidence
        var damping: [String: Double] = [:]     // Π (1 - |w|)^e over negative evidence
        // Sized once: grown label by label, the tables were rehashed a dozen times per document.
        remaining.reserveCapacity(evidence.count)
        for item in evidence {
            guard let label = item.label else { continue }
            let e = exposure(of: item, titleRange: titleRange, discount: discount)
            let weight = min(abs(item.weight), 0.999)
            let factor = pow(1 - weight, e)
            if item.weight > 0 {
                remaining[label, default: 1] *= factor
            } else {
                damping[label, default: 1] *= factor
            }
        }
        // Most documents have no counter-evidence: their scores skip a lookup per label, which
        // hashed the label's name again.
        guard !damping.isEmpty else { return remaining.mapValues { 1 - $0 } }
        var scores: [String: Double] = [:]
        scores.reserveCapacity(remaining.count)
        for (label, rest) in remaining {
            scores[label] = (1 - rest) * (damping[label] ?? 1)
        }
        return scores
    }

    /// How much one piece of evidence adds on its own: its score if it were the only evidence.
    public func contribution(of evidence: Evidence, titleRange: Range<Int>?, tokens: Int) -> Double {
        let e = exposure(of: evidence, titleRange: titleRange, discount: lengthDiscount(tokens: tokens))
        let value = 1 - pow(1 - min(abs(evidence.weight), 0.999), e)
        return evidence.weight < 0 ? -value : value
    }
}
