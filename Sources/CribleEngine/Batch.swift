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
    ///   - keepAfterOutput: what to keep of each result once `inOrder` has had it (see
    ///     ``BatchItem/outcomeOnly``), so that a batch written as it goes is not held whole.
    ///     Each input is released once classified, whatever this is.
    public func classify(_ inputs: consuming [InputItem], inOrder: (@Sendable (BatchItem) -> Void)? = nil,
                         progress: (@Sendable (Int) -> Void)? = nil,
                         keepAfterOutput: (@Sendable (BatchItem) -> BatchItem)? = nil) -> [BatchItem] {
        let count = inputs.count
        let results = ResultSlots(count: count, inOrder: inOrder, progress: progress, keep: keepAfterOutput)
        let pending = InputSlots(consume inputs)
        let engine = self.engine
        let profiler = self.profiler
        let engineFor = self.engineFor
        let work: @Sendable (Int) -> Void = { index in
            switch pending.take(index) {
            case .document(let document):
                let chosen = engineFor?(document) ?? engine
                var verdict = chosen.classify(document, profiler: profiler)
                verdict.text = verdict.text.compacted()
                results.set(index, .verdict(verdict))
            case .failure(let failure): results.set(index, .failure(failure))
            }
        }
        if jobs == 1 || count < 2 {
            for index in 0..<count { work(index) }
        } else {
            // Documents are handed out one at a time: cheap next to classifying one.
            let next = Counter()
            DispatchQueue.concurrentPerform(iterations: min(jobs, count)) { _ in
                while let index = next.take(below: count) { work(index) }
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

extension BatchItem {
    /// What deciding the run's outcome needs of a result already written out: the document's
    /// id and origin, the action, the issues; failures whole. A verdict's text, evidence and
    /// scores are ten times the size of its document, and a streamed batch need not keep them.
    public var outcomeOnly: BatchItem {
        guard case .verdict(var verdict) = self else { return self }
        var document = Document(id: verdict.document.id, body: "")
        document.origin = verdict.document.origin
        verdict.document = document
        verdict.text = TextView("")
        verdict.evidence = []
        verdict.candidateScores = []
        verdict.sentiment.terms = []
        verdict.unusedSuppressions = []
        return .verdict(verdict)
    }
}

/// The inputs of a batch, each released as soon as a task takes it.
private final class InputSlots: @unchecked Sendable {
    private var slots: [InputItem?]
    private let lock = NSLock()

    /// Takes the batch's only reference (a caller that keeps its own keeps the inputs alive).
    init(_ inputs: consuming [InputItem]) { slots = inputs.map { $0 } }

    func take(_ index: Int) -> InputItem {
        lock.lock(); defer { lock.unlock() }
        let item = slots[index]!
        slots[index] = nil
        return item
    }
}

private final class ResultSlots: @unchecked Sendable {
    private var slots: [BatchItem?]
    private let lock = NSLock()
    private let inOrder: (@Sendable (BatchItem) -> Void)?
    private let progress: (@Sendable (Int) -> Void)?
    private let keep: (@Sendable (BatchItem) -> BatchItem)?
    private var nextToEmit = 0
    private var done = 0

    init(count: Int, inOrder: (@Sendable (BatchItem) -> Void)?, progress: (@Sendable (Int) -> Void)?,
         keep: (@Sendable (BatchItem) -> BatchItem)?) {
        slots = Array(repeating: nil, count: count)
        self.inOrder = inOrder
        self.progress = progress
        self.keep = keep
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
            if let keep { slots[nextToEmit] = keep(ready) }
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
