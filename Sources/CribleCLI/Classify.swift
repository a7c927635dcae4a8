import ArgumentParser
import CribleCore
import CribleEngine
import CribleRules
import Foundation

extension DocumentReader.InputType: ExpressibleByArgument {}

enum FailOn: String, ExpressibleByArgument, CaseIterable {
    case review, block, never
}

struct Classify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Classify files, folders (recursively, in sorted order) or standard input (-).")

    @Argument(help: ArgumentHelp("Files (.txt, .md, .jsonl), folders, or - for standard input.", valueName: "path"))
    var paths: [String]

    @Option(help: ArgumentHelp("Output format: \(Reporters.identifiers.joined(separator: ", ")). Repeatable: each --format goes to the --output given after it, or to standard output.", valueName: "format"))
    var format: [String] = []

    @Option(help: ArgumentHelp("File for the --format just before it (e.g. --format sarif --output report.sarif --format text).", valueName: "file"))
    var output: [String] = []

    @OptionGroup var rules: RuleOptions

    @Option(name: .customLong("fail-on"), help: "Exit 1 when a document reaches this action: review, block or never (default: the configuration's, else block).")
    var failOn: FailOn?

    @Option(name: .customLong("max-review"), help: "Exit 1 when more than N documents need review (whatever --fail-on says).")
    var maxReview: Int?

    @Flag(help: "Exit 2 when anything could not run on some document (a regex at its match limit, a failing plugin).")
    var strict = false

    @Option(name: .customLong("input-type"), help: "Read every input as text, markdown, jsonl or feed, whatever its extension.")
    var inputType: DocumentReader.InputType?

    @Flag(name: .customLong("skip-code"), help: "Leave fenced code blocks of Markdown files out of the analysis.")
    var skipCode = false

    @Option(name: .customLong("id-field"), help: "JSONL field holding the document id.")
    var idField = "id"

    @Option(name: .customLong("text-field"), help: "JSONL field holding the text.")
    var textField = "text"

    @Option(name: .customLong("title-field"), help: "JSONL field holding the title.")
    var titleField = "title"

    @Option(name: .customLong("lang-field"), help: "JSONL field holding the language code.")
    var languageField = "lang"

    @OptionGroup var language: LanguageOption

    @Option(help: "Documents classified in parallel (default: all cores).")
    var jobs: Int?

    @Flag(help: "Print to standard error where the time went: stages, then the slowest rules.")
    var profile = false

    @Option(name: .customLong("profile-top"), help: ArgumentHelp("How many entries --profile prints, slowest first.", valueName: "n"))
    var profileTop = 20

    @Option(name: .customLong("write-baseline"), help: ArgumentHelp("Write the findings behind review/block decisions to this file, to accept them.", valueName: "file"))
    var writeBaseline: String?

    @Option(help: ArgumentHelp("Accepted findings: only new findings can fail the run.", valueName: "file"))
    var baseline: String?

    @Flag(name: .customLong("strict-baseline"), help: "Also fail (exit 1) when a baselined finding has disappeared, so the baseline is kept up to date.")
    var strictBaseline = false

    /// Pairs each format with its destination, in the order given on the command line:
    /// `--format sarif --output a.sarif --format text` → (sarif, a.sarif), (text, standard output).
    func destinations() throws -> [(format: String, file: String?)] {
        let arguments = CommandLine.arguments
        var pairs: [(String, String?)] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            let value: String? = argument.contains("=") ? String(argument.split(separator: "=", maxSplits: 1)[1])
                : (index + 1 < arguments.count ? arguments[index + 1] : nil)
            if argument == "--format" || argument.hasPrefix("--format=") {
                if let value { pairs.append((value, nil)) }
            } else if argument == "--output" || argument.hasPrefix("--output=") {
                guard let value, !pairs.isEmpty, pairs[pairs.count - 1].1 == nil else {
                    throw ValidationError("each --output must follow the --format it is for")
                }
                pairs[pairs.count - 1].1 = value
            }
            index += 1
        }
        // Parsed in-process (tests, other front ends), the raw arguments may not be ours.
        if pairs.map(\.0) != format || pairs.compactMap(\.1) != output {
            pairs = format.enumerated().map { ($0.element, $0.offset < output.count ? output[$0.offset] : nil) }
        }
        return pairs.isEmpty ? [("text", nil)] : pairs
    }

    func validate() throws {
        for name in format where !Reporters.identifiers.contains(name) {
            throw ValidationError("unknown format '\(name)'; use one of \(Reporters.identifiers.joined(separator: ", "))")
        }
        if try destinations().filter({ $0.file == nil }).count > 1 {
            throw ValidationError("only one --format can go to standard output; give the others an --output file")
        }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if profileTop < 1 { throw ValidationError("--profile-top must be at least 1") }
        if let maxReview, maxReview < 0 { throw ValidationError("--max-review must be 0 or more") }
        if strictBaseline && baseline == nil { throw ValidationError("--strict-baseline needs --baseline") }
        if paths.isEmpty { throw ValidationError("give at least one file, folder, or - for standard input") }
    }

    func run() throws {
        let settings = try rules.settings()
        let (engine, loadFailed) = try rules.loadEngine(settings)
        let configuration = settings.configuration
        var reader = DocumentReader()
        if let configuration { reader.admits = { configuration.admits($0) } }
        reader.forcedType = inputType
        reader.skipCodeBlocks = skipCode
        reader.idField = idField
        reader.textField = textField
        reader.titleField = titleField
        reader.languageField = languageField
        reader.assumedLanguage = language.language
        // Read as the batch goes: files one by one, JSONL line by line (standard input too).
        let inputs = InputQueue(paths: paths, reader: reader)
        // Per-path profiles: one engine per policy, sharing the compiled rules.
        var engines: [String: Engine] = [:]
        for profile in configuration?.profiles ?? [] where engines[profile.policy] == nil {
            let (policy, diagnostics) = Policy.load(path: profile.policy)
            for diagnostic in diagnostics { Terminal.printError(DiagnosticFormatter.format(diagnostic)) }
            guard let policy else { throw ExitCode(2) }
            engines[profile.policy] = engine.with(policy: policy)
        }
        var engineFor: (@Sendable (Document) -> Engine)?
        if let configuration, !engines.isEmpty {
            let profiled = engines
            engineFor = { (document: Document) -> Engine in
                guard let file = document.origin?.file, let policy = configuration.profilePolicy(for: file) else { return engine }
                return profiled[policy] ?? engine
            }
        }
        let profiler = profile ? Profiler() : nil
        let batch = BatchClassifier(engine: engine, jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount, profiler: profiler,
                                    engineFor: engineFor)
        let outputs = try destinations()
        // JSON lines and text to standard output stream: each verdict is printed as soon as it
        // and those before it are ready, so output starts at once and a batch is never held whole.
        let streamed = outputs.first { $0.file == nil && [JSONLinesReporter.identifier, TextReporter.identifier].contains($0.format) }?.format
        let textReporter = TextReporter(engine: engine, colors: Terminal.standardOutputIsTerminal)
        let textStream = TextStream(textReporter)
        let lineReporter = JSONLinesReporter(engine: engine)
        // Verdicts printed to a terminal as they come are their own progress report; a bar would
        // be drawn across them.
        let progress = streamed != nil && Terminal.standardOutputIsTerminal ? nil : ProgressBar(total: inputs.count)
        var report: (@Sendable (Int) -> Void)?
        if let progress { report = { (done: Int) in progress.update(done: done) } }
        // Of each verdict, only what decides the exit status (action, labels, issues) is kept once
        // it is output, unless a report or a baseline needs more: a streamed report has printed
        // the rest, and the summary reads no more. Kept whole, 16 MB of news took 143 MB.
        let onlyOutcomesRead = outputs.allSatisfy { output in
            output.format == SummaryReporter.identifier || (output.format == streamed && output.file == nil)
        }
        let keepOutcomeOnly = onlyOutcomesRead && baseline == nil && writeBaseline == nil
        var keep: (@Sendable (BatchItem) -> BatchItem)?
        if keepOutcomeOnly { keep = { (item: BatchItem) in item.outcomeOnly } }
        // Each streamed piece is made by the job that classified its document; only printing is in order.
        let items: [BatchItem] = switch streamed {
        case JSONLinesReporter.identifier:
            batch.classify(inputs, rendering: { lineReporter.lineBytes(for: $0) },
                           inOrder: { _, line in Terminal.write(bytes: line) }, progress: report, keepAfterOutput: keep)
        case TextReporter.identifier:
            batch.classify(inputs, rendering: { textReporter.block(for: $0) },
                           inOrder: { item, block in Terminal.write(textStream.piece(for: item, rendered: block)) },
                           progress: report, keepAfterOutput: keep)
        default:
            keepOutcomeOnly
                ? batch.classify(inputs, inOrder: { _ in }, progress: report, keepAfterOutput: keep)
                : batch.classify(inputs, progress: report)
        }
        progress?.finish()
        if streamed == TextReporter.identifier { Terminal.write(textStream.closing()) }
        if let profiler { Terminal.printError(profiler.report(top: profileTop)) }
        let failing = failOn ?? configuration?.failOn.flatMap(FailOn.init(rawValue:)) ?? .block
        let threshold: Action? = switch failing {
        case .review: .review
        case .block: .block
        case .never: nil
        }
        for (name, file) in outputs where !(name == streamed && file == nil) {
            let reporter = Reporters.reporter(named: name, engine: engine, colors: file == nil && Terminal.standardOutputIsTerminal,
                                              failOn: threshold)!
            let text = reporter.report(items)
            if let file {
                do {
                    try text.write(toFile: file, atomically: true, encoding: .utf8)
                } catch {
                    Terminal.printError("crible: cannot write \(file): \(error.localizedDescription)")
                    throw ExitCode(2)
                }
            } else {
                Terminal.write(text)
            }
        }
        for case .failure(let failure) in items {
            Terminal.printError("crible: \(failure.id): \(failure.message)")
        }
        if let writeBaseline {
            do { try Baseline(items: items).write(to: writeBaseline) } catch {
                Terminal.printError("crible: cannot write the baseline \(writeBaseline): \(error.localizedDescription)")
                throw ExitCode(2)
            }
        }
        var newFindings: Set<String>?
        var staleBaseline = false
        if let baseline {
            let accepted: Baseline
            do { accepted = try Baseline.read(from: baseline) } catch {
                Terminal.printError("crible: cannot read the baseline \(baseline): \(error.localizedDescription)")
                throw ExitCode(2)
            }
            let comparison = accepted.compare(with: items)
            Terminal.printError("baseline: \(comparison.new.count) new, \(comparison.unchanged.count) unchanged, \(comparison.fixed.count) fixed")
            for entry in comparison.new { Terminal.printError("  new:   \(entry.document): \(entry.rule) «\(entry.text)»") }
            for entry in comparison.fixed { Terminal.printError("  fixed: \(entry.document): \(entry.rule) «\(entry.text)»") }
            newFindings = comparison.documentsWithNewFindings
            staleBaseline = strictBaseline && !comparison.fixed.isEmpty
        }
        var outcome = RunOutcome.of(items, failOn: threshold, loadFailed: loadFailed, newFindingsIn: newFindings)
        if strict {
            let incomplete = items.filter { if case .verdict(let verdict) = $0 { !verdict.issues.isEmpty } else { false } }.count
            if incomplete > 0 {
                Terminal.printError("crible: --strict: \(incomplete) document\(incomplete == 1 ? "" : "s") could not be fully classified")
                outcome = .runFailed
            }
        }
        if outcome == .passed && staleBaseline { outcome = .policyFailed }
        if let maxReview, outcome == .passed {
            let reviews = items.filter { if case .verdict(let verdict) = $0 { verdict.action == .review } else { false } }.count
            if reviews > maxReview {
                Terminal.printError("crible: \(reviews) documents need review, more than --max-review \(maxReview)")
                outcome = .policyFailed
            }
        }
        if outcome != .passed { throw ExitCode(outcome.rawValue) }
    }
}

/// The text report's stream, fed from the batch's in-order callback (one call at a time).
private final class TextStream: @unchecked Sendable {
    private var stream: TextReporter.Stream
    private let lock = NSLock()

    init(_ reporter: TextReporter) { stream = TextReporter.Stream(reporter: reporter) }

    func piece(for item: BatchItem, rendered: String) -> String {
        lock.lock(); defer { lock.unlock() }; return stream.piece(for: item, rendered: rendered)
    }
    func closing() -> String { lock.lock(); defer { lock.unlock() }; return stream.closing() }
}
