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
        classify(InputQueue(items: inputs), inOrder: inOrder, progress: progress, keepAfterOutput: keepAfterOutput)
    }

    /// Classifies inputs as the queue reads them: each task takes the next input when it is free,
    /// so no more than `jobs` inputs (and as many results waiting for an earlier one) are held
    /// beyond what `keepAfterOutput` keeps.
    public func classify(_ queue: InputQueue, inOrder: (@Sendable (BatchItem) -> Void)? = nil,
                         progress: (@Sendable (Int) -> Void)? = nil,
                         keepAfterOutput: (@Sendable (BatchItem) -> BatchItem)? = nil) -> [BatchItem] {
        let results = ResultSlots(inOrder: inOrder, progress: progress, keep: keepAfterOutput)
        let engine = self.engine
        let profiler = self.profiler
        let engineFor = self.engineFor
        let work: @Sendable () -> Void = {
            while let (index, entry) = queue.next() {
                switch queue.decode(entry) {
                case .document(let document):
                    let chosen = engineFor?(document) ?? engine
                    var verdict = chosen.classify(document, profiler: profiler)
                    verdict.text = verdict.text.compacted()
                    results.set(index, .verdict(verdict))
                case .failure(let failure): results.set(index, .failure(failure))
                }
            }
        }
        let tasks = min(jobs, queue.count ?? jobs)
        if tasks < 2 {
            work()
        } else {
            DispatchQueue.concurrentPerform(iterations: tasks) { _ in work() }
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

/// Results gathered in input order, whichever task finishes first.
private final class ResultSlots: @unchecked Sendable {
    /// Results in input order, up to the first one still missing.
    private var ordered: [BatchItem] = []
    /// Results that finished before an earlier one, by input position.
    private var waiting: [Int: BatchItem] = [:]
    private let lock = NSLock()
    private let inOrder: (@Sendable (BatchItem) -> Void)?
    private let progress: (@Sendable (Int) -> Void)?
    private let keep: (@Sendable (BatchItem) -> BatchItem)?
    private var done = 0

    init(inOrder: (@Sendable (BatchItem) -> Void)?, progress: (@Sendable (Int) -> Void)?,
         keep: (@Sendable (BatchItem) -> BatchItem)?) {
        self.inOrder = inOrder
        self.progress = progress
        self.keep = keep
    }

    func set(_ index: Int, _ item: BatchItem) {
        lock.lock()
        defer { lock.unlock() }
        waiting[index] = item
        done += 1
        progress?(done)
        while let ready = waiting.removeValue(forKey: ordered.count) {
            inOrder?(ready)
            ordered.append(inOrder != nil ? keep?(ready) ?? ready : ready)
        }
    }

    func values() -> [BatchItem] {
        lock.lock()
        defer { lock.unlock() }
        precondition(waiting.isEmpty, "every input position is classified once")
        return ordered
    }
}
