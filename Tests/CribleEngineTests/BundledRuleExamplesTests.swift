import CribleCore
@testable import CribleEngine
import CribleRules
import Foundation
import Testing

/// Every example of every bundled rule file, lexicon and plugin runs as a test, in all its
/// altered forms (upper case, decomposed accents, typographic apostrophes, emoji prefix).
@Suite struct BundledRuleExamplesTests {
    static func ruleFiles() -> [String] {
        RuleLoader.ruleFiles(in: [bundledRules]).files.map { String($0.dropFirst(bundledRules.count + 1)) }
    }

    @Test func bundledRulesLoadWithoutErrors() {
        let errors = bundledDiagnostics.filter { $0.severity == .error }
        #expect(errors.isEmpty, "\(errors.map(\.description).joined(separator: "\n"))")
    }

    @Test(arguments: ruleFiles())
    func examplesOfRuleFile(_ relativePath: String) {
        let path = (bundledRules as NSString).appendingPathComponent(relativePath)
        let runner = ExampleRunner(engine: bundledEngine)
        let results = runner.runRuleExamples(files: [path]) + runner.runLexiconExamples(files: [path])
            + runner.runFixtures(ruleFiles: [path])
        for failure in results where !failure.passed {
            let place = failure.location.map(\.description) ?? relativePath
            Issue.record("\(place) \(failure.subject) \(failure.kind) [\(failure.variant.rawValue)]: \(failure.text)\n\(failure.message)")
        }
    }

    @Test func everyRuleHasMatchAndNoMatchExamples() {
        for rule in bundledEngine.ruleSet.rules {
            #expect(!rule.definition.examples.match.isEmpty, "\(rule.id) (\(rule.definition.location)) has no match example")
            #expect(!rule.definition.examples.noMatch.isEmpty, "\(rule.id) (\(rule.definition.location)) has no no_match example")
        }
    }

    @Test func pluginExamples() {
        for failure in ExampleRunner(engine: bundledEngine).runPluginExamples() where !failure.passed {
            Issue.record("\(failure.subject) \(failure.kind) [\(failure.variant.rawValue)]: \(failure.text)\n\(failure.message)")
        }
    }

    @Test func everyTaxonomyLabelIsDeclared() {
        let namespaces = ["topic/", "tech/", "ai-policy/", "moderation/", "sentiment/", "lang/"]
        let declared = Set(bundledEngine.ruleSet.labels.keys)
        for namespace in namespaces {
            #expect(declared.contains { $0.hasPrefix(namespace) }, "no label declared in \(namespace)")
        }
        for plugin in BuiltinPlugins.classifiers {
            #expect(plugin.descriptor.labels.contains { declared.contains($0) }, "no bundled pack enables plugin \(plugin.descriptor.id)")
        }
        let topics = declared.filter { $0.hasPrefix("topic/") }
        for topic in topics {
            #expect(bundledEngine.ruleSet.labels[topic]?.iptc?.hasPrefix("medtop:") == true, "\(topic) has no IPTC code")
        }
    }
}
