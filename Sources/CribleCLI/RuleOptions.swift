import ArgumentParser
import CribleCore
import CribleEngine
import CribleRules
import Foundation

/// `--lang`: the language of documents whose input declares none, for every command that reads
/// documents (classify, explain, eval).
struct LanguageOption: ParsableArguments {
    @Option(name: .customLong("lang"), help: ArgumentHelp("Language of every document that declares none (JSONL field, feed or page language), instead of identifying it: for short comments in one language.", valueName: "code"))
    var language: String?

    func validate() throws {
        if let language, Document.languageCode(of: language) == nil
            || !language.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || $0 == "-" || $0 == "_") }) {
            throw ValidationError("--lang takes a language code such as fr or en-GB, not '\(language)'")
        }
    }
}

/// Options every command that loads rules shares.
struct RuleOptions: ParsableArguments {
    @Option(name: .customLong("rules"), help: ArgumentHelp("A folder (or file) of rule files to load; repeatable. The bundled Rules/ are loaded too unless --no-default-rules.", valueName: "dir"))
    var ruleFolders: [String] = []

    @Flag(name: .customLong("no-default-rules"), help: "Do not load the bundled rule packs.")
    var noDefaultRules = false

    @Option(name: .customLong("policy"), help: ArgumentHelp("Policy file mapping labels to allow/review/block (default: the bundled default.policy.yaml).", valueName: "file"))
    var policy: String?

    @Option(name: .customLong("config"), help: ArgumentHelp("Configuration file (default: .crible.yml in this folder or a parent, up to the repository root).", valueName: "file"))
    var config: String?

    func validate() throws {
        if noDefaultRules && ruleFolders.isEmpty && config == nil && Configuration.discover() == nil {
            throw ValidationError("--no-default-rules needs at least one --rules folder")
        }
    }

    /// The bundled rules folder, or a usage error that says how to point at it.
    func bundledRules() throws -> String {
        guard let folder = BundledRules.directory() else {
            throw ValidationError("cannot find the bundled Rules/ folder; set CRIBLE_RULES to its path or use --no-default-rules with --rules")
        }
        return folder
    }

    /// Where the rules, policy and configuration of a run come from, resolved once: the
    /// configuration file is read a single time however many places need it.
    struct Settings {
        var configuration: Configuration?
        var rulePaths: [String]
        var policyPath: String?
        /// The rule compiler the configuration asks for (its regex limits), or the default one.
        var compiler: RuleCompiler { configuration?.ruleCompiler ?? RuleCompiler() }
    }

    /// Reads the configuration (its errors stop the run, exit 2) and resolves the rule folders and
    /// the policy: command-line options first, then the configuration, then the bundled defaults.
    func settings() throws -> Settings {
        var configuration: Configuration?
        if let path = config ?? Configuration.discover() {
            let (loaded, diagnostics) = Configuration.load(path: path)
            for diagnostic in diagnostics { Terminal.printError(DiagnosticFormatter.format(diagnostic)) }
            guard let loaded else { throw ExitCode(2) }
            configuration = loaded
        }
        let useDefaults = !noDefaultRules && (configuration?.defaultRules ?? true)
        let rulePaths = (useDefaults ? [try bundledRules()] : []) + (configuration?.rules ?? []) + ruleFolders
        var policyPath = policy ?? configuration?.policy
        if policyPath == nil, !noDefaultRules {
            let bundled = BundledRules.defaultPolicy(in: try bundledRules())
            if FileManager.default.fileExists(atPath: bundled) { policyPath = bundled }
        }
        return Settings(configuration: configuration, rulePaths: rulePaths, policyPath: policyPath)
    }

    /// Loads the engine, printing diagnostics to standard error. Returns whether any error was
    /// reported (the run then exits 2 once it has done what it could).
    func loadEngine(_ settings: Settings) throws -> (Engine, hadErrors: Bool) {
        do {
            let loaded = try EngineLoader().load(rulePaths: settings.rulePaths, policyPath: settings.policyPath,
                                                 disabledRules: Set(settings.configuration?.disabledRules ?? []),
                                                 compiler: settings.compiler)
            for diagnostic in loaded.diagnostics { Terminal.printError(DiagnosticFormatter.format(diagnostic)) }
            KeptForTheProcess.keep(loaded.engine)
            return (loaded.engine, loaded.diagnostics.contains { $0.severity == .error })
        } catch {
            for diagnostic in error.diagnostics { Terminal.printError(DiagnosticFormatter.format(diagnostic)) }
            throw ExitCode(2)
        }
    }

    func loadEngine() throws -> (Engine, hadErrors: Bool) {
        try loadEngine(try settings())
    }
}

/// Holds what a command loaded until the process exits, so it is never freed object by object.
///
/// The bundled rule set is some hundred thousand objects (phrases, patterns, lexicon entries):
/// releasing them one by one when a command returns took about 32 million instructions (some
/// 10 ms), as long as classifying a hundred articles, for memory the system takes back at once
/// when the process ends.
enum KeptForTheProcess {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var kept: [Any] = []

    static func keep(_ value: Any) {
        lock.lock()
        kept.append(value)
        lock.unlock()
    }
}

enum Terminal {
    static func printError(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func write(bytes: [UInt8]) {
        FileHandle.standardOutput.write(Data(bytes))
    }

    static var standardOutputIsTerminal: Bool { isatty(1) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil }
}
