import ArgumentParser
import CribleCore
import CribleEngine
import CribleRules
import Foundation

struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Work on rule files: run their examples, list them.",
        subcommands: [RulesTest.self, RulesList.self])
}

struct RulesTest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run the examples of rule files (and of lexicons and plugins), in every altered form.")

    @Argument(help: ArgumentHelp("Rule files or folders whose examples to run (default: every loaded rule).", valueName: "path"))
    var paths: [String] = []

    @OptionGroup var rules: RuleOptions

    @Flag(help: "Print passing examples too.")
    var verbose = false

    func run() throws {
        var options = rules
        // The files under test are loaded with the bundled packs, which declare the labels and
        // helper rules they may build on.
        // Paths already loaded (the bundled folder, or a --rules folder) are not loaded twice.
        let loaded = try options.rulePaths().map { ($0 as NSString).standardizingPath }
        options.ruleFolders += paths.filter { path in
            let standard = (path as NSString).standardizingPath
            return !loaded.contains { standard == $0 || standard.hasPrefix($0 + "/") }
        }
        let (engine, loadFailed) = try options.loadEngine()
        let selected: Set<String>? = paths.isEmpty ? nil : Set(RuleLoader.ruleFiles(in: paths).files)
        let runner = ExampleRunner(engine: engine)
        var results = runner.runRuleExamples(files: selected) + runner.runLexiconExamples(files: selected)
        if paths.isEmpty { results += runner.runPluginExamples() }
        let failed = results.filter { !$0.passed }
        for result in results where verbose || !result.passed {
            let place = result.location.map { "\($0.file):\($0.line):\($0.column)" } ?? "plugin"
            let status = result.passed ? "PASS" : "FAIL"
            var line = "\(status) \(place) \(result.subject) \(result.kind) [\(result.variant.rawValue)]"
            if !result.passed { line += "\n    example: \(result.text)\n    \(result.message)" }
            Terminal.write(line + "\n")
        }
        Terminal.write("\(results.count - failed.count) passed, \(failed.count) failed\n")
        if loadFailed { throw ExitCode(2) }
        if !failed.isEmpty { throw ExitCode(1) }
    }
}

struct RulesList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List every loaded rule.")

    @OptionGroup var rules: RuleOptions

    func run() throws {
        let (engine, loadFailed) = try rules.loadEngine()
        for rule in engine.ruleSet.rules {
            let definition = rule.definition
            let languages = definition.languages?.joined(separator: ",") ?? "any"
            Terminal.write("\(rule.id)\t\(rule.label ?? "-")\t\(languages)\t\(definition.kind.name)\t\(definition.location.file):\(definition.location.line)\t\(definition.description)\n")
        }
        if loadFailed { throw ExitCode(2) }
    }
}
