import ArgumentParser
import CribleCore
import CribleEngine
import CribleRules
import Foundation

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure throughput: rule loading, text preparation, and the full pipeline on one and on all cores.",
        discussion: "Reports medians over repeated runs after a warm-up. Without files, it uses the bundled Examples.")

    @Argument(help: ArgumentHelp("Text files to build the batch from (repeated to --megabytes).", valueName: "file"))
    var files: [String] = []

    @Option(help: "Size of the batch, in MB.")
    var megabytes: Double = 16

    @Option(help: "Timed runs (after one warm-up).")
    var repetitions: Int = 5

    @Option(help: "Parallel jobs for the multi-core run (default: all cores).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @OptionGroup var rules: RuleOptions

    func run() throws {
        var text = ""
        let sources = files.isEmpty ? DocumentReader().expand(["Examples/articles"]).compactMap { try? $0.get() } : files
        for path in sources { text += (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" ; text += "\n\n" }
        guard !text.isEmpty else { throw ValidationError("no text to benchmark; give text files") }
        let documents = Benchmark.documents(from: text, totalBytes: Int(megabytes * 1_000_000))
        let bytes = documents.reduce(0) { $0 + $1.content.utf8.count }
        let benchmark = Benchmark(repetitions: repetitions)
        let settings = try rules.settings()

        let load = benchmark.measure("load and compile rules", bytes: 0) {
            _ = try? EngineLoader().load(rulePaths: settings.rulePaths, policyPath: settings.policyPath)
        }
        let (engine, _) = try rules.loadEngine(settings)
        let view = benchmark.measure("text view (fold, map, tokens)", bytes: bytes) {
            for document in documents { _ = TextView(document.content) }
        }
        let one = benchmark.measure("full pipeline, 1 job", bytes: bytes) {
            for document in documents { _ = engine.classify(document) }
        }
        let inputs = documents.map { InputItem.document($0) }
        let many = benchmark.measure("full pipeline, \(jobs) jobs", bytes: bytes) {
            _ = BatchClassifier(engine: engine, jobs: jobs).classify(inputs)
        }
        Terminal.write("batch: \(documents.count) documents, \(String(format: "%.1f", Double(bytes) / 1e6)) MB; \(engine.ruleSet.rules.count) rules; medians of \(repetitions) runs after a warm-up\n")
        Terminal.write(String(format: "%-34@ %10.1f ms\n", "load and compile rules" as NSString, load.median * 1000))
        for measurement in [view, one, many] {
            Terminal.write(String(format: "%-34@ %10.1f MB/s   (%.3f s)\n", measurement.name as NSString, measurement.megabytesPerSecond, measurement.median))
        }
        Terminal.write(String(format: "%-34@ %10.2f ×\n", "speed-up with \(jobs) jobs" as NSString, one.median / many.median))
    }
}
