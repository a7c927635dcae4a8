import ArgumentParser
import CribleCore
import CribleEngine
import Foundation

enum FailOn: String, ExpressibleByArgument, CaseIterable {
    case review, block, never
}

struct Classify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Classify files, folders (recursively, in sorted order) or standard input (-).")

    @Argument(help: ArgumentHelp("Files (.txt, .md, .jsonl), folders, or - for standard input.", valueName: "path"))
    var paths: [String]

    @Option(help: ArgumentHelp("Output format: \(Reporters.identifiers.joined(separator: ", ")).", valueName: "format"))
    var format: String = "text"

    @OptionGroup var rules: RuleOptions

    @Option(name: .customLong("fail-on"), help: "Exit 1 when a document reaches this action: review, block or never.")
    var failOn: FailOn = .block

    @Option(help: "Documents classified in parallel (default: all cores).")
    var jobs: Int?

    @Flag(help: "Print to standard error where the time went: stages, then the slowest rules.")
    var profile = false

    func validate() throws {
        guard Reporters.identifiers.contains(format) else {
            throw ValidationError("unknown format '\(format)'; use one of \(Reporters.identifiers.joined(separator: ", "))")
        }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if paths.isEmpty { throw ValidationError("give at least one file, folder, or - for standard input") }
    }

    func run() throws {
        let (engine, loadFailed) = try rules.loadEngine()
        let inputs = DocumentReader().read(paths: paths)
        let profiler = profile ? Profiler() : nil
        let batch = BatchClassifier(engine: engine, jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount, profiler: profiler)
        let items = batch.classify(inputs)
        if let profiler { Terminal.printError(profiler.report()) }
        let threshold: Action? = switch failOn {
        case .review: .review
        case .block: .block
        case .never: nil
        }
        let reporter = Reporters.reporter(named: format, engine: engine, colors: Terminal.standardOutputIsTerminal, failOn: threshold)!
        Terminal.write(reporter.report(items))
        for case .failure(let failure) in items {
            Terminal.printError("crible: \(failure.id): \(failure.message)")
        }
        let outcome = RunOutcome.of(items, failOn: threshold, loadFailed: loadFailed)
        if outcome != .passed { throw ExitCode(outcome.rawValue) }
    }
}
