import CribleCore
import CribleRules
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
        // The line of each id: verdicts are matched to gold documents by id, so a second document
        // with the same id would be judged against the first one's verdict.
        var lineOfID: [String: Int] = [:]
        let reader = DocumentReader()
        for (line, parsed) in reader.jsonObjects(in: data, source: path) {
            switch parsed {
            case .failure(let failure): failures.append(failure)
            case .success(let object):
                switch reader.document(from: object, source: path, line: line) {
                case .failure(let failure): failures.append(failure)
                case .document(let document):
                    switch GoldReader.expectations(in: object, id: document.id, firstLine: lineOfID[document.id]) {
                    case .failure(let problem):
                        failures.append(InputFailure(id: "\(path):\(line)", message: "line \(line): \(problem.message)", file: path, line: line))
                    case .success(let (labels, sentiment, polarity)):
                        lineOfID[document.id] = line
                        gold.append(GoldDocument(document: document, labels: labels, sentiment: sentiment, polarity: polarity))
                    }
                }
            }
        }
        return (gold, failures)
    }

    struct Problem: Error { let message: String }

    /// What a gold line expects, or why it cannot be read: a value of the wrong type is an error,
    /// never a field silently left out (a misspelt polarity would have made a row of its own, a
    /// score written as a string no sentiment judged at all).
    static func expectations(in object: [String: Any], id: String, firstLine: Int?)
        -> Result<(labels: [String]?, sentiment: Double?, polarity: String?), Problem> {
        if let firstLine { return .failure(Problem(message: "id `\(id)` is already used on line \(firstLine)")) }
        func given(_ key: String) -> Any? { object[key].flatMap { $0 is NSNull ? nil : $0 } }
        var labels: [String]?
        switch given("labels") {
        case nil: labels = nil
        case let list as [String]: labels = list
        case let single as String: labels = [single]
        case let other?: return .failure(Problem(message: "`labels` must be a list of label names, found \(GoldReader.shown(other))"))
        }
        var sentiment: Double?
        if let value = given("sentiment") {
            guard let number = value as? NSNumber, !(value is Bool), (-1...1).contains(number.doubleValue) else {
                return .failure(Problem(message: "`sentiment` must be a number from -1 to 1, found \(GoldReader.shown(value))"))
            }
            sentiment = number.doubleValue
        }
        var polarity: String?
        if let value = given("polarity") {
            guard let name = value as? String, ["positive", "negative", "neutral"].contains(name) else {
                return .failure(Problem(message: "`polarity` must be positive, negative or neutral, found \(GoldReader.shown(value))"))
            }
            polarity = name
        }
        return .success((labels, sentiment, polarity))
    }

    private static func shown(_ value: Any) -> String {
        switch value {
        case let text as String: return "\"\(text)\""
        case is [Any]: return "a list"
        case is [String: Any]: return "an object"
        default: return "\(value)"
        }
    }

    /// The gold labels no loaded rule or plugin can give, each with the closest one that can (a
    /// typo in a gold file scores that label 0 without any other sign). Languages count as
    /// known: `lang/` takes any identified code.
    public static func unknownLabels(in gold: [GoldDocument], known: Set<String>) -> [(label: String, suggestion: String?)] {
        Set(gold.flatMap { $0.labels ?? [] })
            .filter { !known.contains($0) && !$0.hasPrefix("lang/") }
            .sorted()
            .map { ($0, closestMatch(to: $0, in: known)) }
    }
}
