import CribleCore
@testable import CribleEngine
import CribleRules
import PersonalData
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
