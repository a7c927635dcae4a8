import CribleCore
@testable import CribleEngine
import CribleRules
import Foundation
import XCTest

final class ExternalPluginTests: XCTestCase {
    func loadEngine() throws -> Engine {
        let folder = repositoryRoot.appendingPathComponent("Tests/Fixtures/external").path
        let loaded = try EngineLoader().load(rulePaths: [folder], policyPath: nil)
        XCTAssertEqual(loaded.diagnostics, [])
        return loaded.engine
    }

    func testEvidenceFromAnExternalProgram() throws {
        let engine = try loadEngine()
        let verdict = engine.classify(Document(id: "a", body: "Un message très toxique, vraiment.", language: "fr"))
        let evidence = try XCTUnwrap(verdict.evidence.first { $0.ruleID == "test.toxicity" })
        XCTAssertEqual(verdict.text.originalString(evidence.spans[0]), "toxique")
        XCTAssertEqual(verdict.score(of: "test/toxic"), 0.9, accuracy: 0.001)
    }

    func testCrashTimeoutAndMalformedOutputAreReportedAndTheProgramRestarts() throws {
        let engine = try loadEngine()
        let crash = engine.classify(Document(id: "c", body: "CRASH", language: "fr"))
        XCTAssertTrue(crash.issues.first?.message.contains("exited") ?? false, "\(crash.issues)")
        let garbage = engine.classify(Document(id: "g", body: "GARBAGE", language: "fr"))
        XCTAssertTrue(garbage.issues.first?.message.contains("malformed answer: not a JSON object") ?? false, "\(garbage.issues)")
        let fine = engine.classify(Document(id: "f", body: "Encore toxique", language: "fr"))
        XCTAssertTrue(fine.issues.isEmpty, "the program was restarted: \(fine.issues)")
        XCTAssertEqual(fine.score(of: "test/toxic"), 0.9, accuracy: 0.001)
        let started = Date()
        let slow = engine.classify(Document(id: "s", body: "SLOW", language: "fr"))
        XCTAssertLessThan(Date().timeIntervalSince(started), 15)
        XCTAssertTrue(slow.issues.first?.message.contains("no answer within 2") ?? false, "\(slow.issues)")
        XCTAssertTrue(engine.classify(Document(id: "f2", body: "toxique", language: "fr")).issues.isEmpty)
    }

    func testExamplesOfExternalPluginsRun() throws {
        let results = ExampleRunner(engine: try loadEngine()).runPluginExamples().filter { $0.subject == "test.toxicity" }
        XCTAssertEqual(results.count, 6)
        XCTAssertTrue(results.allSatisfy(\.passed), "\(results.filter { !$0.passed }.map(\.message))")
    }

    func testPluginDefinitionsAreValidated() {
        let result = RuleLoader().load(sources: [(path: "p.yaml", text: """
        crible: 1
        plugins:
          - {id: x, description: d, command: [true], labels: [undeclared/label]}
          - {id: y, description: d, labels: [a/b], timout: 3}
        """)])
        XCTAssertEqual(result.errors.map(\.code).sorted(), ["E002", "E007", "E013"])
    }
}
