import Foundation

/// The text and JSON forms of an ``Evaluation``.
public enum EvaluationReport {
    public static func text(_ evaluation: Evaluation, missesShown: Int = 20) -> String {
        var lines: [String] = ["\(evaluation.documents) documents evaluated" +
                               (evaluation.failures.isEmpty ? "" : ", \(evaluation.failures.count) unreadable")]
        if !evaluation.perLabel.isEmpty {
            let width = max(24, evaluation.perLabel.keys.map(\.count).max() ?? 0)
            lines.append("")
            lines.append("label".padding(toLength: width, withPad: " ", startingAt: 0) + "  precision  recall     f1  support")
            for (label, counts) in evaluation.perLabel.sorted(by: { $0.key < $1.key }) {
                lines.append(label.padding(toLength: width, withPad: " ", startingAt: 0)
                             + String(format: "  %9.3f  %6.3f  %5.3f  %7d", counts.precision, counts.recall, counts.f1, counts.support))
            }
            let micro = evaluation.micro
            lines.append("micro".padding(toLength: width, withPad: " ", startingAt: 0)
                         + String(format: "  %9.3f  %6.3f  %5.3f  %7d", micro.precision, micro.recall, micro.f1, micro.support))
            lines.append("macro".padding(toLength: width, withPad: " ", startingAt: 0)
                         + String(format: "  %9s  %6s  %5.3f", "", "", evaluation.macroF1))
        }
        if let r = evaluation.pearson {
            lines.append("")
            lines.append(String(format: "sentiment: Pearson r = %.3f over %d documents", r, evaluation.sentimentPairs.count))
        }
        if !evaluation.confusion.isEmpty {
            let classes = ["negative", "neutral", "positive"]
            lines.append("")
            lines.append("polarity (rows: expected, columns: predicted)" + (evaluation.polarityAccuracy.map { String(format: ", accuracy %.3f", $0) } ?? ""))
            lines.append("            " + classes.map { $0.padding(toLength: 9, withPad: " ", startingAt: 0) }.joined())
            for expected in classes where evaluation.confusion[expected] != nil {
                let row = evaluation.confusion[expected]!
                lines.append(expected.padding(toLength: 12, withPad: " ", startingAt: 0)
                             + classes.map { String(row[$0] ?? 0).padding(toLength: 9, withPad: " ", startingAt: 0) }.joined())
            }
        }
        if !evaluation.misses.isEmpty {
            lines.append("")
            lines.append("\(evaluation.misses.count) documents with missing or unexpected labels" +
                         (evaluation.misses.count > missesShown ? " (first \(missesShown); --format json lists all)" : "") + ":")
            for miss in evaluation.misses.prefix(missesShown) {
                var parts: [String] = []
                if !miss.missing.isEmpty { parts.append("missing \(miss.missing.joined(separator: ", "))") }
                if !miss.unexpected.isEmpty { parts.append("unexpected \(miss.unexpected.joined(separator: ", "))") }
                lines.append("  \(miss.id): \(parts.joined(separator: "; "))")
            }
        }
        for failure in evaluation.failures { lines.append("error: \(failure.id): \(failure.message)") }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func json(_ evaluation: Evaluation) -> JSONValue {
        func counts(_ value: Evaluation.Counts) -> JSONValue {
            .object([("precision", .score(value.precision)), ("recall", .score(value.recall)), ("f1", .score(value.f1)),
                     ("support", .integer(value.support)), ("true_positives", .integer(value.truePositives)),
                     ("false_positives", .integer(value.falsePositives)), ("false_negatives", .integer(value.falseNegatives))])
        }
        var object: [(String, JSONValue)] = [
            ("documents", .integer(evaluation.documents)),
            ("failures", .array(evaluation.failures.map { .object([("id", .string($0.id)), ("message", .string($0.message))]) })),
            ("labels", .object(evaluation.perLabel.sorted { $0.key < $1.key }.map { ($0.key, counts($0.value)) })),
            ("micro", counts(evaluation.micro)),
            ("macro_f1", .score(evaluation.macroF1)),
        ]
        object.append(("sentiment", .object([
            ("pearson", evaluation.pearson.map(JSONValue.score) ?? .null),
            ("documents", .integer(evaluation.sentimentPairs.count)),
            ("polarity_accuracy", evaluation.polarityAccuracy.map(JSONValue.score) ?? .null),
            ("confusion", .object(evaluation.confusion.sorted { $0.key < $1.key }.map { expected, row in
                (expected, .object(row.sorted { $0.key < $1.key }.map { ($0.key, .integer($0.value)) }))
            })),
        ])))
        object.append(("misses", .array(evaluation.misses.map { miss in
            .object([("id", .string(miss.id)), ("missing", .array(miss.missing.map(JSONValue.string))),
                     ("unexpected", .array(miss.unexpected.map(JSONValue.string)))])
        })))
        return .object(object)
    }
}
