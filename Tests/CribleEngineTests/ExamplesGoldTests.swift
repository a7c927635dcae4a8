import CribleCore
@testable import CribleEngine
import Foundation
import XCTest
import Yams

/// The bundled examples against the labels, sentiment and action a reader gave them
/// (Examples/expected.yaml, written before the rules were tuned). A regression guard on the
/// bundled packs as a whole: actions and languages must all be right; labels must keep their
/// measured agreement.
final class ExamplesGoldTests: XCTestCase {
    struct Expected {
        var key: String
        var language: String
        var labels: Set<String>
        var sentiment: String
        var action: Action
    }

    func expectations() throws -> [Expected] {
        let path = repositoryRoot.appendingPathComponent("Examples/expected.yaml")
        let root = try Yams.load(yaml: String(contentsOf: path, encoding: .utf8)) as! [String: Any]
        let documents = root["documents"] as! [String: [String: Any]]
        return documents.keys.sorted().map { key in
            let entry = documents[key]!
            return Expected(key: key, language: entry["lang"] as! String, labels: Set(entry["labels"] as? [String] ?? []),
                            sentiment: entry["sentiment"] as! String, action: Action(rawValue: entry["action"] as! String)!)
        }
    }

    func verdicts() -> [String: Verdict] {
        let examples = repositoryRoot.appendingPathComponent("Examples").path
        let reader = DocumentReader()
        var verdicts: [String: Verdict] = [:]
        for item in reader.read(paths: [examples + "/articles", examples + "/comments.jsonl"]) {
            guard case .document(let document) = item else { continue }
            let key = document.id.hasPrefix(examples) ? String(document.id.dropFirst(examples.count + 1)) : "comments.jsonl#\(document.id)"
            verdicts[key] = bundledEngine.classify(document)
        }
        return verdicts
    }

    func testActionsLanguagesAndLabelsOfTheBundledExamples() throws {
        let expected = try expectations()
        let verdicts = verdicts()
        XCTAssertEqual(Set(verdicts.keys), Set(expected.map(\.key)))
        var truePositives = 0, falsePositives = 0, falseNegatives = 0
        var sentimentAgreement = 0
        var report: [String] = []
        for item in expected {
            guard let verdict = verdicts[item.key] else { continue }
            XCTAssertEqual(verdict.action, item.action, "\(item.key): action (\(verdict.reasons.map(\.policyRule)))")
            XCTAssertEqual(verdict.language.code, item.language, "\(item.key): language")
            let judged = Set(verdict.labels.map(\.label)).filter { label in
                ["topic/", "tech/", "ai-policy/", "moderation/"].contains { label.hasPrefix($0) }
            }
            truePositives += judged.intersection(item.labels).count
            falsePositives += judged.subtracting(item.labels).count
            falseNegatives += item.labels.subtracting(judged).count
            if verdict.sentiment.label == "sentiment/\(item.sentiment)" { sentimentAgreement += 1 }
            if judged != item.labels {
                report.append("\(item.key): missing \(item.labels.subtracting(judged).sorted()), unexpected \(judged.subtracting(item.labels).sorted())")
            }
        }
        let precision = Double(truePositives) / Double(max(1, truePositives + falsePositives))
        let recall = Double(truePositives) / Double(max(1, truePositives + falseNegatives))
        let f1 = 2 * precision * recall / max(1e-9, precision + recall)
        let summary = String(format: "labels: precision %.2f recall %.2f F1 %.2f; sentiment %d/%d\n", precision, recall, f1,
                             sentimentAgreement, expected.count) + report.joined(separator: "\n")
        print(summary)
        XCTAssertGreaterThanOrEqual(f1, Self.minimumLabelF1, summary)
        XCTAssertGreaterThanOrEqual(sentimentAgreement, Self.minimumSentimentAgreement, summary)
    }

    /// Measured agreement when this guard was set, less a small margin for changes that trade one
    /// label for another; raise them as the packs improve.
    static let minimumLabelF1 = 0.70
    static let minimumSentimentAgreement = 8
}
