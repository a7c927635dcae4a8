import CribleCore
import CribleRules
import Dispatch
import Foundation
import PCRE2

/// Throughput of the engine on a batch, measured the way `docs/PERFORMANCE.md` reports it:
/// warm-up runs first, then repeated runs, and medians — these machines are noisy.
public struct Benchmark: Sendable {
    public struct Measurement: Sendable {
        public var name: String
        public var seconds: [Double]
        public var bytes: Int
        public var median: Double { seconds.sorted()[seconds.count / 2] }
        public var megabytesPerSecond: Double { Double(bytes) / 1_000_000 / median }
    }

    public var repetitions: Int
    public var warmups: Int

    public init(repetitions: Int = 5, warmups: Int = 1) {
        self.repetitions = max(1, repetitions)
        self.warmups = max(0, warmups)
    }

    /// Times `work`; what it returns is released after the clock stops, so that freeing a result
    /// (a whole compiled rule set, for loading) is not counted as making it: a run builds it once
    /// and keeps it until the process exits.
    public func measure<Result>(_ name: String, bytes: Int, _ work: () -> Result) -> Measurement {
        for _ in 0..<warmups { _ = work() }
        let seconds = (0..<repetitions).map { _ in Benchmark.seconds(work) }
        return Measurement(name: name, seconds: seconds, bytes: bytes)
    }

    /// Seconds one run of `work` takes; its result is released after the clock stops.
    public static func seconds<Result>(_ work: () -> Result) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        let result = work()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        withExtendedLifetime(result) {}
        return seconds
    }

    /// Times two workloads in alternation (A then B, then B then A, and so on), so that a change
    /// in the machine's speed during the run weighs on both alike; their ratio is the median of
    /// each pair's `A ÷ B`, steadier than the ratio of two medians taken minutes apart.
    public func measurePair<A, B>(_ nameA: String, _ workA: () -> A, _ nameB: String, _ workB: () -> B,
                                  bytes: Int) -> (a: Measurement, b: Measurement, ratio: Double) {
        let measured = withoutActuallyEscaping(workA) { workA in
            withoutActuallyEscaping(workB) { workB in
                measureInterleaved([(nameA, { workA() }), (nameB, { workB() })], bytes: bytes)
            }
        }
        return (measured[0], measured[1], Benchmark.medianRatio(measured[0], measured[1]))
    }

    /// Times several workloads in turn within each repetition, in their order and then in the
    /// reverse order, so that every workload sees the machine at the same moments: the
    /// measurements' `seconds` line up by repetition, for ``medianRatio(_:_:)``.
    public func measureInterleaved(_ workloads: [(name: String, work: () -> Any)], bytes: Int) -> [Measurement] {
        for _ in 0..<warmups {
            for workload in workloads { _ = workload.work() }
        }
        var seconds = [[Double]](repeating: [], count: workloads.count)
        for repetition in 0..<repetitions {
            let order = repetition.isMultiple(of: 2) ? Array(workloads.indices) : workloads.indices.reversed()
            for index in order { seconds[index].append(Benchmark.seconds(workloads[index].work)) }
        }
        return workloads.indices.map { Measurement(name: workloads[$0].name, seconds: seconds[$0], bytes: bytes) }
    }

    /// A workload on one job and on `jobs`, and the host reference on one thread and on as many,
    /// all four interleaved (see ``measureInterleaved(_:bytes:)``), so that the workload's speed-up
    /// is read beside what the machine gave at the same moments.
    public struct Scaling: Sendable {
        public var one: Measurement
        public var many: Measurement
        /// The median of the rounds' `one ÷ many`.
        public var speedUp: Double
        /// The same for the host reference.
        public var hostSpeedUp: Double
    }

    public func measureScaling(_ name: String, jobs: Int, bytes: Int, reference: HostReference, referenceIterations: Int,
                               _ run: (Int) -> Any) -> Scaling {
        let measured = withoutActuallyEscaping(run) { run in
            measureInterleaved([
                ("\(name), 1 job", { run(1) }), ("\(name), \(jobs) jobs", { run(jobs) }),
                ("host reference, 1 thread", { reference.run(iterations: referenceIterations, jobs: 1) }),
                ("host reference, \(jobs) threads", { reference.run(iterations: referenceIterations, jobs: jobs) }),
            ], bytes: bytes)
        }
        return Scaling(one: measured[0], many: measured[1], speedUp: Benchmark.medianRatio(measured[0], measured[1]),
                       hostSpeedUp: Benchmark.medianRatio(measured[2], measured[3]))
    }

    /// The median of `a ÷ b` over the repetitions both were timed in together.
    public static func medianRatio(_ a: Measurement, _ b: Measurement) -> Double {
        let ratios = zip(a.seconds, b.seconds).map { $0 / $1 }.sorted()
        return ratios.isEmpty ? .nan : ratios[ratios.count / 2]
    }

    /// Documents of about `documentSize` bytes cut from `text` at paragraph breaks, repeated until
    /// `totalBytes` is reached.
    public static func documents(from text: String, totalBytes: Int, documentSize: Int = 3_000) -> [Document] {
        let paragraphs = text.components(separatedBy: "\n\n").filter { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
        var pieces: [String] = []
        var current = ""
        for paragraph in paragraphs {
            current += paragraph + "\n\n"
            if current.utf8.count >= documentSize { pieces.append(current); current = "" }
        }
        if !current.isEmpty { pieces.append(current) }
        guard !pieces.isEmpty else { return [] }
        var documents: [Document] = []
        var size = 0
        while size < totalBytes {
            let body = pieces[documents.count % pieces.count]
            documents.append(Document(id: "bench-\(documents.count)", body: body))
            size += body.utf8.count
        }
        return documents
    }

    /// A rule set of one keyword rule per word, as a user would write them (case- and
    /// accent-insensitive, word-bounded): the workload peers such as hyperscan are compared on.
    /// With `slowRule`, one more rule that backtracks exponentially (see ``SlowRule``), to
    /// measure what it costs the others.
    public static func keywordRuleSet(_ keywords: [String], slowRule: SlowRule? = nil) throws -> CompiledRuleSet {
        var yaml = "crible: 1\nlabels:\n  bench/keyword:\n    description: \"Benchmark keywords\"\nrules:\n"
        for (number, keyword) in keywords.enumerated() {
            yaml += "  - id: bench.keyword-\(number)\n    label: bench/keyword\n    description: \"Benchmark keyword\"\n    keywords: [\(JSONValue.string(keyword).serialized())]\n"
        }
        if let slowRule {
            yaml += "  - id: bench.\(slowRule.rawValue)\n    label: bench/keyword\n    description: \"Catastrophic backtracking\"\n    regex: '\(slowRule.pattern)'\n"
        }
        let result = RuleLoader().load(sources: [(path: "<benchmark keywords>", text: yaml)])
        if let error = result.errors.first { throw error }
        return result.ruleSet
    }

    /// Rules that split a text's words every possible way before failing: exponential, so each
    /// spends its whole match limit on every text it runs on. They differ in what the engine can
    /// read from them beforehand.
    public enum SlowRule: String, CaseIterable, Sendable {
        /// Ends with twelve digits in a row, which no text of the batch holds: the engine reads
        /// that requirement and runs the rule only on texts with such a run (none here).
        case needsDigits = "slow-regex"
        /// Ends with twelve characters in a row that are neither word characters nor spaces: the
        /// engine searches that part alone first (see `RegexGuard`), and runs the rule only
        /// where it is found.
        case needsFactor = "slow-regex-factor"
        /// Ends at the end of the text: nothing in it lets the engine skip a document, so it
        /// runs on every one, the worst rule a user can add, bounded by its match limit.
        case unfiltered = "slow-regex-unfiltered"

        public var pattern: String {
            switch self {
            case .needsDigits: #"(?:\w+\s?)+\d{12}"#
            case .needsFactor: #"(?:\w+\s?)+[^\w\s]{12}"#
            case .unfiltered: #"(?:\w+\s?)+$"#
            }
        }
    }

    /// Text view plus the keyword pass of `ruleSet` over every document, on one core.
    public static func matchKeywords(_ ruleSet: CompiledRuleSet, in documents: [Document]) -> Int {
        let scratch = RuleScratch()
        var hits = 0
        for document in documents {
            let context = DocumentContext(document: document, text: TextView(document.content), language: .undetermined)
            hits += ruleSet.evaluate(context, scratch: scratch).evidence.count
        }
        return hits
    }

    /// What scoring sentiment alone costs, as a peer that does only that is measured: the text
    /// view, the document's language (declared, else identified), the walk of its lexicon's terms
    /// and the analyzer, on one core; no rule and no plugin. Returns the sum of the scores, so
    /// that none of the work can be left out.
    public static func scoreSentiment(_ engine: Engine, in documents: [Document]) -> Double {
        var total = 0.0
        for document in documents {
            let text = TextView(document.content)
            let language = engine.language(of: document, text: text).code
            total += engine.sentiment.analyze(text, lexicon: engine.ruleSet.lexicons[language]).score
        }
        return total
    }
}
