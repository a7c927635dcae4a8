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
        exposure(ofHits: evidence.hits, titleRange: titleRange, discount: discount)
    }

    /// ``exposure(of:titleRange:discount:)`` from the hits alone: the scorer reads them in place
    /// from its list of evidence, where passing each piece of evidence copied it, retaining each
    /// of its strings, and released it again.
    func exposure(ofHits hits: ArraySlice<Hit>, titleRange: Range<Int>?, discount: Double) -> Double {
        var count = 0.0
        for hit in hits {
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
            let factor = remainingFactor(of: item, titleRange: titleRange, discount: discount)
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

    /// ``scores(for:titleRange:tokens:)``, with labels by number: evidence that carries its
    /// label's number (``Evidence/labelNumber``), or whose label `number` knows, is added up in an
    /// array on the stack, in the same order and with the same arithmetic, so each score is the
    /// same to the last bit; the rest goes through the scores by name. Hashing a label's name for
    /// each piece of evidence, and the tables behind it, was four percent of classifying.
    /// - Returns: the scores of numbered labels, in the order of their first positive evidence,
    ///   and those of the other labels by name.
    package func numberedScores(for evidence: [Evidence], titleRange: Range<Int>?, tokens: Int, labelCount: Int,
                                number: (String) -> Int32?) -> (numbered: [(number: Int32, score: Double)], named: [String: Double]) {
        let discount = lengthDiscount(tokens: tokens)
        var unnumbered: [Evidence] = []
        var numbered: [(number: Int32, score: Double)] = []
        // Π (1 - w)^e over positive evidence at `n`, Π (1 - |w|)^e over negative evidence at
        // `labelCount + n`; NaN until a label's first evidence of that sign.
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * labelCount) { products in
            products.initialize(repeating: .nan)
            var order: [Int32] = []
            order.reserveCapacity(evidence.count)
            // Read field by field, in place: a copy of each piece of evidence retained its strings.
            evidence.withUnsafeBufferPointer { evidence in
                for index in evidence.indices {
                    // A label's number says it has one: the name is read (and retained) only for
                    // evidence without a number, from plugins.
                    var labelNumber = evidence[index].labelNumber
                    if labelNumber < 0 {
                        guard let label = evidence[index].label else { continue }
                        labelNumber = number(label) ?? -1
                    }
                    guard labelNumber >= 0, Int(labelNumber) < labelCount else {
                        unnumbered.append(evidence[index])
                        continue
                    }
                    let factor = remainingFactor(weight: evidence[index].weight, hits: evidence[index].hits,
                                                 titleRange: titleRange, discount: discount)
                    let signed = evidence[index].weight
                    let slot = signed > 0 ? Int(labelNumber) : labelCount + Int(labelNumber)
                    if products[slot].isNaN {
                        products[slot] = 1
                        if signed > 0 { order.append(labelNumber) }
                    }
                    products[slot] *= factor
                }
            }
            numbered.reserveCapacity(order.count)
            for labelNumber in order {
                let damping = products[labelCount + Int(labelNumber)]
                let score = 1 - products[Int(labelNumber)]
                numbered.append((labelNumber, damping.isNaN ? score : score * damping))
            }
        }
        let named = unnumbered.isEmpty ? [:] : scores(for: unnumbered, titleRange: titleRange, tokens: tokens)
        return (numbered, named)
    }

    /// How much one piece of evidence adds on its own: its score if it were the only evidence.
    public func contribution(of evidence: Evidence, titleRange: Range<Int>?, tokens: Int) -> Double {
        let value = 1 - remainingFactor(of: evidence, titleRange: titleRange, discount: lengthDiscount(tokens: tokens))
        return evidence.weight < 0 ? -value : value
    }

    /// `(1 - |w|)^e`: what one piece of evidence leaves of the gap to certainty (positive
    /// evidence) or of the score (counter-evidence).
    @inline(__always)
    func remainingFactor(of evidence: Evidence, titleRange: Range<Int>?, discount: Double) -> Double {
        remainingFactor(weight: evidence.weight, hits: evidence.hits, titleRange: titleRange, discount: discount)
    }

    @inline(__always)
    func remainingFactor(weight: Double, hits: ArraySlice<Hit>, titleRange: Range<Int>?, discount: Double) -> Double {
        pow(1 - min(abs(weight), 0.999), exposure(ofHits: hits, titleRange: titleRange, discount: discount))
    }
}
