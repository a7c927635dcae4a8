import CribleCore
import Dispatch
import Foundation

/// One input's outcome: a verdict, or the reason it could not be classified.
public enum BatchItem: Sendable {
    case verdict(Verdict)
    case failure(InputFailure)
}

/// Classifies a list of inputs on several cores, keeping the input order in the output whatever
/// the parallelism, so two runs of the same batch give byte-identical reports.
public struct BatchClassifier: Sendable {
    public let engine: Engine
    public let jobs: Int
    public let profiler: Profiler?
    /// Picks the engine for a document (per-path profiles); `nil`: always `engine`.
    public let engineFor: (@Sendable (Document) -> Engine)?

    public init(engine: Engine, jobs: Int = ProcessInfo.processInfo.activeProcessorCount, profiler: Profiler? = nil,
                engineFor: (@Sendable (Document) -> Engine)? = nil) {
        self.engine = engine
        self.jobs = max(1, jobs)
        self.profiler = profiler
        self.engineFor = engineFor
    }

    /// - Parameters:
    ///   - inOrder: called with each result as soon as it and every result before it are ready,
    ///     in input order (streaming output stays deterministic).
    ///   - progress: called after each document with the number done, from any thread.
    public func classify(_ inputs: [InputItem], inOrder: (@Sendable (BatchItem) -> Void)? = nil,
                         progress: (@Sendable (Int) -> Void)? = nil) -> [BatchItem] {
        let results = ResultSlots(count: inputs.count, inOrder: inOrder, progress: progress)
        let engine = self.engine
        let profiler = self.profiler
        let engineFor = self.engineFor
        let work: @Sendable (Int) -> Void = { index in
            switch inputs[index] {
            case .document(let document):
                let chosen = engineFor?(document) ?? engine
                var verdict = chosen.classify(document, profiler: profiler)
                verdict.text = verdict.text.compacted()
                results.set(index, .verdict(verdict))
            case .failure(let failure): results.set(index, .failure(failure))
            }
        }
        if jobs == 1 || inputs.count < 2 {
            for index in inputs.indices { work(index) }
        } else {
            // Documents are handed out one at a time: cheap next to classifying one.
            let next = Counter()
            DispatchQueue.concurrentPerform(iterations: min(jobs, inputs.count)) { _ in
                while let index = next.take(below: inputs.count) { work(index) }
            }
        }
        return results.values()
    }
}

/// Exit status of a run, as documented for CI: the most severe outcome wins.
public enum RunOutcome: Int32, Sendable {
    case passed = 0
    case policyFailed = 1
    case runFailed = 2

    /// - Parameter baselined: when a baseline is in use, the documents with new findings; only
    ///   they can fail the run.
    public static func of(_ items: [BatchItem], failOn: Action?, loadFailed: Bool,
                          newFindingsIn baselined: Set<String>? = nil) -> RunOutcome {
        if loadFailed { return .runFailed }
        if items.contains(where: { if case .failure = $0 { return true } else { return false } }) { return .runFailed }
        guard let failOn else { return .passed }
        let failed = items.contains { item in
            guard case .verdict(let verdict) = item, verdict.action >= failOn else { return false }
            return baselined.map { $0.contains(verdict.document.id) } ?? true
        }
        return failed ? .policyFailed : .passed
    }
}

private final class ResultSlots: @unchecked Sendable {
    private var slots: [BatchItem?]
    private let lock = NSLock()
    private let inOrder: (@Sendable (BatchItem) -> Void)?
    private let progress: (@Sendable (Int) -> Void)?
    private var nextToEmit = 0
    private var done = 0

    init(count: Int, inOrder: (@Sendable (BatchItem) -> Void)?, progress: (@Sendable (Int) -> Void)?) {
        slots = Array(repeating: nil, count: count)
        self.inOrder = inOrder
        self.progress = progress
    }

    func set(_ index: Int, _ item: BatchItem) {
        lock.lock()
        defer { lock.unlock() }
        slots[index] = item
        done += 1
        progress?(done)
        guard let inOrder else { return }
        while nextToEmit < slots.count, let ready = slots[nextToEmit] {
            inOrder(ready)
            nextToEmit += 1
        }
    }
    func values() -> [BatchItem] { lock.lock(); defer { lock.unlock() }; return slots.map { $0! } }
}

private final class Counter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()
    func take(below limit: Int) -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard value < limit else { return nil }
        value += 1
        return value - 1
    }
}
