import ArgumentParser
import CribleCore
import CribleEngine
import CribleRules
import Foundation

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure throughput: rule loading, text preparation, and the full pipeline on one and on all cores.",
        discussion: """
            Reports medians over repeated runs after a warm-up. Without files, it uses the bundled Examples.
            The pipeline is timed alone and with every verdict encoded as a JSON line, as --format jsonl does.
            --documents takes a JSONL file of ready-made documents (used as they are, not repeated), so that
            other tools can be measured on exactly the same text; --keywords adds the keyword-matching
            workload (one rule per line of the file, the first 10 lines and all of them).
            """)

    @Argument(help: ArgumentHelp("Text files to build the batch from (repeated to --megabytes).", valueName: "file"))
    var files: [String] = []

    @Option(help: ArgumentHelp("JSONL documents (`id`, `text`) to use as the batch, as they are.", valueName: "file"))
    var documents: String?

    @Option(help: ArgumentHelp("Keywords, one per line: also time matching the first 10 and all of them as keyword rules.", valueName: "file"))
    var keywords: String?

    @Option(help: "Size of the batch, in MB.")
    var megabytes: Double = 16

    @Option(help: "Timed runs (after one warm-up).")
    var repetitions: Int = 5

    @Option(help: "Parallel jobs for the multi-core run (default: all cores).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "text or json.")
    var format: BenchFormat = .text

    @OptionGroup var rules: RuleOptions

    enum BenchFormat: String, ExpressibleByArgument { case text, json }

    func run() throws {
        let batch = try loadBatch()
        let bytes = batch.reduce(0) { $0 + $1.content.utf8.count }
        let benchmark = Benchmark(repetitions: repetitions)
        let settings = try rules.settings()

        var results: [(id: String, measurement: Benchmark.Measurement)] = []
        // Loading takes a fraction of a second and runs on every core, so one busy moment on a
        // shared machine moves it a lot: it gets at least 11 runs, whose median is steadier.
        let loading = Benchmark(repetitions: max(repetitions, 11))
        results.append(("load", loading.measure("load and compile rules", bytes: 0) {
            try? EngineLoader().load(rulePaths: settings.rulePaths, policyPath: settings.policyPath,
                                     compiler: settings.compiler)
        }))
        let (engine, _) = try rules.loadEngine(settings)
        results.append(("text-view", benchmark.measure("text view (fold, map, tokens)", bytes: bytes) {
            for document in batch { _ = TextView(document.content) }
        }))
        // Every run goes through the batch classifier, as `crible classify --jobs N` does, so that
        // the ratio of N jobs to one is the speed-up a user gets and not partly the batch's own
        // bookkeeping. Each job keeps only what decides a verdict's outcome once the verdict is
        // done, as `crible classify` does when it streams: kept whole, a batch's verdicts were
        // freed at the end on one thread, a serial stretch (13-14 ms on 4 MB) that no streamed
        // run has. One job and N jobs run in alternation, and their speed-up is the median of
        // the pairs' ratios: this machine's speed drifts more between two blocks of runs than the
        // ratio moves.
        let inputs = batch.map { InputItem.document($0) }
        let pipeline = { (jobs: Int) in
            _ = BatchClassifier(engine: engine, jobs: jobs).classify(inputs, inOrder: { _ in }, keepAfterOutput: { $0.outcomeOnly })
        }
        // Each speed-up is read beside the host's own in the same rounds (see `HostReference`),
        // whose runs last a quarter of the pipeline's on one job.
        let reference = HostReference()
        let referenceIterations = reference.iterations(lasting: Benchmark.seconds { pipeline(1) } / 4)
        let scaling = benchmark.measureScaling("full pipeline", jobs: jobs, bytes: bytes, reference: reference,
                                               referenceIterations: referenceIterations) { pipeline($0) }
        let (one, many) = (scaling.one, scaling.many)
        results.append(("pipeline-1-job", one))
        results.append(("pipeline-\(jobs)-jobs", many))
        // Sentiment alone, one job: the part of the pipeline a sentiment scorer does.
        results.append(("sentiment-1-job", benchmark.measure("sentiment alone, 1 job", bytes: bytes) {
            Benchmark.scoreSentiment(engine, in: batch)
        }))
        // What `crible classify --format jsonl` does besides writing: every verdict encoded, with
        // each hit's offsets, line and column. The lines are made and then dropped.
        let lines = JSONLinesReporter(engine: engine)
        let withLines = { (jobs: Int) in
            _ = BatchClassifier(engine: engine, jobs: jobs).classify(
                InputQueue(items: inputs), rendering: { lines.lineBytes(for: $0) }, inOrder: { _, _ in },
                keepAfterOutput: { $0.outcomeOnly })
        }
        let scalingWithLines = benchmark.measureScaling("pipeline + JSON lines", jobs: jobs, bytes: bytes, reference: reference,
                                                        referenceIterations: referenceIterations) { withLines($0) }
        let (oneWithLines, manyWithLines) = (scalingWithLines.one, scalingWithLines.many)
        results.append(("jsonl-1-job", oneWithLines))
        results.append(("jsonl-\(jobs)-jobs", manyWithLines))
        // What more rules and the worst rule cost are ratios of times, and each is timed in
        // alternation with what it is compared with, as the jobs are: timed in blocks a minute
        // apart, 1,000 rules against 10 read 1.18× in one run and 2.14× in the next on this host.
        var costRatios: [(id: String, over: String, ratio: Double)] = []
        if let keywords {
            let words = try String(contentsOfFile: keywords, encoding: .utf8)
                .split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            let few = min(10, words.count)
            let allRules = try Benchmark.keywordRuleSet(words)
            let matchAll = { _ = Benchmark.matchKeywords(allRules, in: batch) }
            let allName = "keywords, \(words.count) rules (view + match)"
            if few < words.count {
                let fewRules = try Benchmark.keywordRuleSet(Array(words.prefix(few)))
                let (many, small, ratio) = benchmark.measurePair(
                    allName, matchAll, "keywords, \(few) rules (view + match)", { _ = Benchmark.matchKeywords(fewRules, in: batch) },
                    bytes: bytes)
                results.append(("keywords-\(few)", small))
                results.append(("keywords-\(words.count)", many))
                costRatios.append(("keywords-\(words.count)", "keywords-\(few)", ratio))
            } else {
                results.append(("keywords-\(words.count)", benchmark.measure(allName, bytes: bytes, matchAll)))
            }
            for slowRule in Benchmark.SlowRule.allCases {
                let withSlowRule = try Benchmark.keywordRuleSet(words, slowRule: slowRule)
                let (slow, _, slowRatio) = benchmark.measurePair(
                    "keywords, \(words.count) rules + /\(slowRule.pattern)/", { _ = Benchmark.matchKeywords(withSlowRule, in: batch) },
                    allName, matchAll, bytes: bytes)
                results.append(("keywords-\(words.count)-\(slowRule.rawValue)", slow))
                costRatios.append(("keywords-\(words.count)-\(slowRule.rawValue)", "keywords-\(words.count)", slowRatio))
            }
        }

        switch format {
        case .text:
            Terminal.write("batch: \(batch.count) documents, \(String(format: "%.1f", Double(bytes) / 1e6)) MB; \(engine.ruleSet.rules.count) rules; medians of \(repetitions) runs after a warm-up (loading: \(max(repetitions, 11)))\n")
            for (id, measurement) in results {
                if id == "load" {
                    Terminal.write(padded(measurement.name) + String(format: " %10.1f ms\n", measurement.median * 1000))
                } else {
                    Terminal.write(padded(measurement.name) + String(format: " %10.1f MB/s   (%.3f s)\n", measurement.megabytesPerSecond, measurement.median))
                }
            }
            Terminal.write(padded("speed-up with \(jobs) jobs") + String(format: " %10.2f ×   (median of %d alternated pairs)\n",
                                  scaling.speedUp, repetitions))
            Terminal.write(padded("  host reference, same rounds") + String(format: " %10.2f ×   (arithmetic on registers, nothing shared)\n", scaling.hostSpeedUp))
            Terminal.write(padded("speed-up with \(jobs) jobs, JSON lines") + String(format: " %10.2f ×\n", scalingWithLines.speedUp))
            Terminal.write(padded("  host reference, same rounds") + String(format: " %10.2f ×\n", scalingWithLines.hostSpeedUp))
            for cost in costRatios {
                Terminal.write(padded("\(cost.id) ÷ \(cost.over)")
                               + String(format: " %10.2f ×   (time; median of %d alternated pairs)\n", cost.ratio, repetitions))
            }
        case .json:
            let report: [String: Any] = [
                "batch": ["documents": batch.count, "bytes": bytes, "rules": engine.ruleSet.rules.count,
                          "repetitions": repetitions, "jobs": jobs],
                "speed_ups": [
                    ["id": "pipeline-\(jobs)-jobs", "jobs": jobs, "median_paired_ratio": scaling.speedUp,
                     "host_reference_ratio": scaling.hostSpeedUp],
                    ["id": "jsonl-\(jobs)-jobs", "jobs": jobs, "median_paired_ratio": scalingWithLines.speedUp,
                     "host_reference_ratio": scalingWithLines.hostSpeedUp],
                ],
                "cost_ratios": costRatios.map { cost -> [String: Any] in
                    ["id": cost.id, "over": cost.over, "median_paired_time_ratio": cost.ratio]
                },
                "measurements": results.map { id, measurement -> [String: Any] in
                    ["id": id, "name": measurement.name, "bytes": measurement.bytes, "seconds": measurement.seconds,
                     "median_seconds": measurement.median,
                     "megabytes_per_second": measurement.bytes == 0 ? NSNull() : measurement.megabytesPerSecond as Any]
                },
            ]
            let data = try JSONSerialization.data(withJSONObject: report, options: [.prettyPrinted, .sortedKeys])
            Terminal.write(String(decoding: data, as: UTF8.self) + "\n")
        }
    }

    /// `name` padded to a column of 40 characters: `%-40@` pads nothing with this Foundation.
    private func padded(_ name: String) -> String {
        name.count >= 40 ? name : name + String(repeating: " ", count: 40 - name.count)
    }

    /// The documents to measure: a JSONL file as it is, or text files cut and repeated.
    private func loadBatch() throws -> [Document] {
        if let documents {
            var batch: [Document] = []
            for item in DocumentReader().read(file: documents) {
                switch item {
                case .document(let document): batch.append(document)
                case .failure(let failure): throw ValidationError("\(failure)")
                }
            }
            guard !batch.isEmpty else { throw ValidationError("\(documents): no documents") }
            return batch
        }
        var text = ""
        let sources = files.isEmpty ? DocumentReader().expand(["Examples/articles"]).compactMap { try? $0.get() } : files
        for path in sources { text += (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" ; text += "\n\n" }
        guard !text.isEmpty else { throw ValidationError("no text to benchmark; give text files") }
        return Benchmark.documents(from: text, totalBytes: Int(megabytes * 1_000_000))
    }
}
