import CribleCore
@testable import CribleEngine
import CribleRules
import PersonalData
import Readability
import XCTest

final class PluginConfigurationTests: XCTestCase {
    func load(_ text: String) -> (Engine, [Diagnostic]) {
        let result = RuleLoader().load(sources: [(path: "p.yaml", text: text)])
        let (classifiers, diagnostics) = EngineLoader.configuredClassifiers(result.ruleSet)
        return (Engine(ruleSet: result.ruleSet, policy: .allowAll, classifiers: classifiers), result.diagnostics + diagnostics)
    }

    let header = """
    crible: 1
    labels:
      moderation/pii: {description: Personal data}
    plugins:

    """

    func testOptionsFromARulePackChangeWhatThePluginReports() {
        let (engine, diagnostics) = load(header + "  - {id: only-mail, plugin: pii, options: {kinds: [email]}}\n")
        XCTAssertEqual(diagnostics, [])
        let verdict = engine.classify(Document(id: "d", body: "Écrivez à ana@example.org ou au 06 12 34 56 78", language: "fr"))
        XCTAssertEqual(verdict.evidence.map(\.ruleID), ["pii.email"])
    }

    func testBadConfigurationsAreErrorsAtTheirPlace() {
        let (_, unknownPlugin) = load(header + "  - {id: a, plugin: nope}\n")
        XCTAssertEqual(unknownPlugin.map(\.code), ["E018"])
        let (_, unknownOption) = load(header + "  - id: b\n    plugin: pii\n    options:\n      kind: [email]\n")
        XCTAssertEqual(unknownOption.first?.code, "E019")
        XCTAssertEqual(unknownOption.first?.line, 8)
        XCTAssertTrue(unknownOption.first?.message.contains("unknown option `kind`") ?? false)
        let (_, badValue) = load(header + "  - {id: c, plugin: pii, options: {kinds: [email, fax]}}\n")
        XCTAssertTrue(badValue.first?.message.contains("unknown kind `fax`") ?? false, "\(badValue)")
        let (_, noOptions) = load(header + "  - {id: d, plugin: spam-signals, options: {x: 1}}\n")
        XCTAssertEqual(noOptions.map(\.code), ["E018"])
    }
}

final class CapabilityTests: XCTestCase {
    /// Counts words in per-document state: the shared plugin instance never changes.
    struct WordCounter: StatefulClassifier {
        var descriptor: ClassifierDescriptor {
            ClassifierDescriptor(id: "word-counter", labels: ["test/long"], summary: "Long texts.", examples: [])
        }
        func makeState(for context: DocumentContext) -> Int { 0 }
        func classify(_ context: DocumentContext, state: inout Int) throws -> [Evidence] {
            for _ in context.text.tokens { state += 1 }
            return state >= 5 ? [Evidence(ruleID: "long", label: "test/long", weight: 0.9, hits: [Hit(spans: [])],
                                          source: .plugin(id: "word-counter"))] : []
        }
    }

    func testEachDocumentGetsItsOwnState() throws {
        let plugin = WordCounter()
        let long = DocumentContext(document: Document(id: "a", body: "un deux trois quatre cinq"), text: TextView("un deux trois quatre cinq"), language: .undetermined)
        let short = DocumentContext(document: Document(id: "b", body: "un deux"), text: TextView("un deux"), language: .undetermined)
        XCTAssertEqual(try plugin.classify(long).count, 1)
        XCTAssertEqual(try plugin.classify(short).count, 0, "state does not leak from one document to the next")
    }

    func testLanguageDependentPluginsSkipUndeterminedDocuments() {
        let result = RuleLoader().load(sources: [(path: "s.yaml", text: "crible: 1\nlabels:\n  style/hard-to-read: {description: d}\n")])
        let engine = Engine(ruleSet: result.ruleSet, policy: .allowAll)
        let dense = String(repeating: "Notwithstanding considerable institutional interdependencies, governmental administrations systematically operationalise extraordinarily complicated authorisation methodologies. ", count: 12)
        XCTAssertEqual(engine.classify(Document(id: "en", body: dense, language: "en")).evidence.map(\.ruleID), ["readability.reading-ease"])
        XCTAssertEqual(engine.classify(Document(id: "und", body: dense, language: "und")).evidence.count, 0)
    }
}
