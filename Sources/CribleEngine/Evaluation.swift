import CribleCore
import Foundation

/// A labelled document for evaluation: the labels a person gave it and/or a sentiment score.
public struct GoldDocument: Sendable {
    public var document: Document
    public var labels: [String]?
    /// In [-1, 1].
    public var sentiment: Double?
    public var polarity: String?
}

/// Precision, recall and F1 per label, micro and macro averages, sentiment agreement, and the
/// documents that missed: what `crible eval` prints, and what guards packs in CI (`--min-f1`).
public struct Evaluation: Sendable {
    public struct Counts: Sendable, Hashable {
        public var truePositives = 0
        public var falsePositives = 0
        public var falseNegatives = 0
        public var precision: Double { truePositives + falsePositives == 0 ? 0 : Double(truePositives) / Double(truePositives + falsePositives) }
        public var recall: Double { truePositives + falseNegatives == 0 ? 0 : Double(truePositives) / Double(truePositives + falseNegatives) }
        public var f1: Double { precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall) }
        public var support: Int { truePositives + falseNegatives }
    }

    public struct Miss: Sendable {
        public var id: String
        public var missing: [String]
        public var unexpected: [String]
    }

    public var documents = 0
    public var failures: [InputFailure] = []
    public var perLabel: [String: Counts] = [:]
    public var misses: [Miss] = []
    /// Pairs of (expected, predicted) sentiment scores.
    public var sentimentPairs: [(Double, Double)] = []
    /// expected polarity → predicted polarity → count.
    public var confusion: [String: [String: Int]] = [:]

    public var micro: Counts {
        perLabel.values.reduce(into: Counts()) { total, counts in
            total.truePositives += counts.truePositives
            total.falsePositives += counts.falsePositives
            total.falseNegatives += counts.falseNegatives
        }
    }

    public var macroF1: Double {
        let labels = perLabel.values.filter { $0.support > 0 }
        return labels.isEmpty ? 0 : labels.map(\.f1).reduce(0, +) / Double(labels.count)
    }

    public var pearson: Double? {
        let n = Double(sentimentPairs.count)
        guard n >= 2 else { return nil }
        let meanX = sentimentPairs.map(\.0).reduce(0, +) / n
        let meanY = sentimentPairs.map(\.1).reduce(0, +) / n
        var covariance = 0.0, varianceX = 0.0, varianceY = 0.0
        for (x, y) in sentimentPairs {
            covariance += (x - meanX) * (y - meanY)
            varianceX += (x - meanX) * (x - meanX)
            varianceY += (y - meanY) * (y - meanY)
        }
        guard varianceX > 0, varianceY > 0 else { return nil }
        return covariance / (varianceX * varianceY).squareRoot()
    }

    public var polarityAccuracy: Double? {
        let total = confusion.values.flatMap(\.values).reduce(0, +)
        guard total > 0 else { return nil }
        let correct = confusion.map { expected, row in row[expected] ?? 0 }.reduce(0, +)
        return Double(correct) / Double(total)
    }

    public static func polarity(of score: Double, band: Double = 0.05) -> String {
        score > band ? "positive" : score < -band ? "negative" : "neutral"
    }

    /// Scores verdicts against gold documents.
    ///
    /// - Parameter labelPatterns: which predicted labels are judged (`topic/*`, `moderation/hate`).
    ///   By default, every namespace that appears in the gold labels: a topic-only gold set does not
    ///   count the sentiment label as a false positive.
    public static func evaluate(gold: [GoldDocument], verdicts: [String: Verdict], failures: [InputFailure],
                                labelPatterns: [String]? = nil) -> Evaluation {
        var evaluation = Evaluation()
        evaluation.failures = failures
        let namespaces = Set(gold.reduce(into: [String]()) { $0 += $1.labels ?? [] }.compactMap { $0.split(separator: "/").first.map { "\($0)/*" } })
        let patterns = labelPatterns ?? namespaces.sorted()
        func judged(_ label: String) -> Bool {
            patterns.contains { pattern in
                pattern.hasSuffix("/*") ? label.hasPrefix(pattern.dropLast()) : pattern == label
            }
        }
        for label in Set(gold.flatMap { $0.labels ?? [] }) where judged(label) { evaluation.perLabel[label] = Counts() }
        for item in gold {
            guard let verdict = verdicts[item.document.id] else { continue }
            evaluation.documents += 1
            if let expectedLabels = item.labels {
                let expected = Set(expectedLabels.filter(judged))
                let predicted = Set(verdict.labels.map(\.label).filter(judged))
                for label in expected.union(predicted) {
                    var counts = evaluation.perLabel[label] ?? Counts()
                    switch (expected.contains(label), predicted.contains(label)) {
                    case (true, true): counts.truePositives += 1
                    case (false, true): counts.falsePositives += 1
                    case (true, false): counts.falseNegatives += 1
                    default: break
                    }
                    evaluation.perLabel[label] = counts
                }
                if expected != predicted {
                    evaluation.misses.append(Miss(id: item.document.id, missing: expected.subtracting(predicted).sorted(),
                                                  unexpected: predicted.subtracting(expected).sorted()))
                }
            }
            if let expectedScore = item.sentiment {
                evaluation.sentimentPairs.append((expectedScore, verdict.sentiment.score))
            }
            if let expectedPolarity = item.polarity ?? item.sentiment.map({ polarity(of: $0) }) {
                evaluation.confusion[expectedPolarity, default: [:]][polarity(of: verdict.sentiment.score), default: 0] += 1
            }
        }
        return evaluation
    }
}

/// Reads gold JSONL: `id`, `text`, optional `title`, `lang`, `labels` (list), `sentiment`
/// (number in [-1, 1]) and `polarity` (positive / negative / neutral).
public struct GoldReader: Sendable {
    public init() {}

    public func read(path: String) -> ([GoldDocument], [InputFailure]) {
        guard let data = FileManager.default.contents(atPath: path) else {
            return ([], [InputFailure(id: path, message: "cannot read the gold file", file: path)])
        }
        var gold: [GoldDocument] = []
        var failures: [InputFailure] = []
        let reader = DocumentReader()
        for (line, parsed) in reader.jsonObjects(in: data, source: path) {
            switch parsed {
            case .failure(let failure): failures.append(failure)
            case .success(let object):
                switch reader.document(from: object, source: path, line: line) {
                case .failure(let failure): failures.append(failure)
                case .document(let document):
                    var labels = object["labels"] as? [String]
                    if let single = object["labels"] as? String { labels = [single] }
                    gold.append(GoldDocument(document: document, labels: labels,
                                             sentiment: (object["sentiment"] as? NSNumber)?.doubleValue,
                                             polarity: object["polarity"] as? String))
                }
            }
        }
        return (gold, failures)
    }
}
