import ArgumentParser
import CribleCore
import CribleEngine
import CribleRules
import Foundation

struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Work on rule files: check them, run their examples, list them.",
        subcommands: [RulesLint.self, RulesTest.self, RulesList.self])
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
        // The files under test are loaded with the bundled packs, which declare the labels and
        // helper rules they may build on; paths already loaded are not loaded twice.
        var settings = try rules.settings()
        let loaded = settings.rulePaths.map { ($0 as NSString).standardizingPath }
        settings.rulePaths += paths.filter { path in
            let standard = (path as NSString).standardizingPath
            return !loaded.contains { standard == $0 || standard.hasPrefix($0 + "/") }
        }
        let (engine, loadFailed) = try rules.loadEngine(settings)
        let selected: Set<String>? = paths.isEmpty ? nil : Set(RuleLoader.ruleFiles(in: paths).files)
        let runner = ExampleRunner(engine: engine)
        var results = runner.runRuleExamples(files: selected) + runner.runLexiconExamples(files: selected)
        results += runner.runFixtures(ruleFiles: selected.map { Array($0).sorted() } ?? engine.ruleSet.files)
        if paths.isEmpty { results += runner.runPluginExamples() }
        let failed = results.filter { !$0.passed }
        for result in results where verbose || !result.passed {
            let place = result.location.map { "\($0.file):\($0.line):\($0.column)" } ?? "plugin"
            let status = result.passed ? "PASS" : "FAIL"
            var line = "\(status) \(place) \(result.subject) \(result.kind) [\(result.variant.rawValue)]"
            if !result.passed { line += "\n    example: \(result.text)\n    \(result.message)" }
            Terminal.write(line + "\n")
        }
        var summary = "\(results.count - failed.count) passed, \(failed.count) failed"
        // A file that does not load has no examples to run: say so where people look, not only
        // in the diagnostics above, so that "0 failed" is never read as "all good".
        if loadFailed { summary += "; some rule files did not load and their examples did not run (errors above)" }
        Terminal.write(summary + "\n")
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

struct RulesLint: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Check rule files: every problem as file:line:column with the line, a caret and a hint.",
        discussion: "Exit 0 when clean, 1 with errors (or warnings with --strict), 2 when a path cannot be read.")

    @Argument(help: ArgumentHelp("Rule files or folders (default: the bundled Rules/).", valueName: "path"))
    var paths: [String] = []

    @Option(help: "Output format: text or json.")
    var format: String = "text"

    @Flag(help: "Fail on warnings too.")
    var strict = false

    @Flag(name: .customLong("with-default-rules"), help: "Also load the bundled Rules/ (for files that use their labels or helper rules).")
    var withDefaultRules = false

    func validate() throws {
        guard ["text", "json"].contains(format) else { throw ValidationError("--format is text or json") }
    }

    func run() throws {
        guard let bundled = BundledRules.directory() ?? (paths.isEmpty ? nil : "") else {
            throw ValidationError("cannot find the bundled Rules/ folder; give paths to lint or set CRIBLE_RULES")
        }
        let targets = paths.isEmpty ? [bundled] : paths
        let load = (withDefaultRules && !paths.isEmpty ? [bundled] : []) + targets
        let (files, missing) = RuleLoader.ruleFiles(in: targets)
        let result = RuleLoader().load(paths: load)
        let selected = Set(files)
        var diagnostics = (result.diagnostics + RuleLinter().lint(result))
            .filter { selected.contains($0.file) || !missing.isEmpty && missing.contains($0) }
            .sorted { ($0.file, $0.line, $0.column) < ($1.file, $1.line, $1.column) }
        if !withDefaultRules, !paths.isEmpty, !bundled.isEmpty {
            let resolved = RuleLoader().resolved(diagnostics, byAlsoLoading: [bundled], with: targets)
            for index in diagnostics.indices where resolved.contains(diagnostics[index]) {
                let what = diagnostics[index].code == "E013" ? "declare this label" : "define this rule"
                diagnostics[index].hint = "the bundled Rules/ \(what), and `crible classify` loads them with yours: lint with --with-default-rules"
            }
        }
        if format == "json" {
            let items: [JSONValue] = diagnostics.map { diagnostic in
                .object([("file", .string(diagnostic.file)), ("line", .integer(diagnostic.line)), ("column", .integer(diagnostic.column)),
                         ("severity", .string(diagnostic.severity.rawValue)), ("code", .string(diagnostic.code)),
                         ("message", .string(diagnostic.message)), ("hint", diagnostic.hint.map(JSONValue.string) ?? .null)])
            }
            Terminal.write(JSONValue.array(items).serialized(pretty: true) + "\n")
        } else {
            for diagnostic in diagnostics { Terminal.write(DiagnosticFormatter.format(diagnostic) + "\n") }
            let errors = diagnostics.filter { $0.severity == .error }.count
            Terminal.write("\(files.count) file\(files.count == 1 ? "" : "s") checked: \(errors) error\(errors == 1 ? "" : "s"), \(diagnostics.count - errors) warning\(diagnostics.count - errors == 1 ? "" : "s")\n")
        }
        if !missing.isEmpty { throw ExitCode(2) }
        if diagnostics.contains(where: { $0.severity == .error }) || (strict && !diagnostics.isEmpty) { throw ExitCode(1) }
    }
}
