import ArgumentParser
import CribleCore
import CribleEngine


struct Crible: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crible",
        abstract: "Classify and moderate French and English text with rule files and plugins.",
        discussion: """
        Exit codes: 0 no document reached the failing action; 1 some did; 2 the run failed \
        (bad rule or policy file, unreadable input); 64 usage error.
        """,
        version: Engine.version,
        subcommands: [Classify.self, Explain.self, Eval.self, RulesCommand.self, Bench.self],
        defaultSubcommand: nil
    )
}

/// The command line as a library, so that a package with its own plugins builds its own `crible`
/// with one call:
///
/// ```swift
/// import CribleCLI
/// CribleCommandLine.main(plugins: [MyClassifier()])
/// ```
public enum CribleCommandLine {
    public static func main(plugins: [any Classifier] = []) {
        PluginRegistry.register(plugins)
        Crible.main()
    }
}
