import CribleCore
import CribleRules
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
        classify(queue, rendering: { _ in () }, inOrder: inOrder.map { write in { item, _ in write(item) } },
                 progress: progress, keepAfterOutput: keepAfterOutput)
    }

    /// Classifies as ``classify(_:inOrder:progress:keepAfterOutput:)`` does, and makes each
    /// result's output on the task that classified it.
    ///
    /// Output has to leave in input order, one result at a time, but making it need not: a JSON
    /// line holds every hit of every rule and took as long to write as a third of classifying,
    /// so rendered in order it was a serial stretch that held two jobs to 1.4 times one.
    /// - Parameters:
    ///   - render: runs on any task, in any order, once per result.
    ///   - inOrder: gets each result with its rendering, in input order, one call at a time.
    public func classify<Rendered: Sendable>(_ queue: InputQueue, rendering render: @escaping @Sendable (BatchItem) -> Rendered,
                                             inOrder: (@Sendable (BatchItem, Rendered) -> Void)?,
                                             progress: (@Sendable (Int) -> Void)? = nil,
                                             keepAfterOutput: (@Sendable (BatchItem) -> BatchItem)? = nil) -> [BatchItem] {
        let tasks = min(jobs, queue.count ?? jobs)
        let results = ResultSlots<Rendered>(tasks: tasks, inOrder: inOrder, progress: progress, keep: keepAfterOutput)
        let engine = self.engine
        let profiler = self.profiler
        let engineFor = self.engineFor
        let rendersOutput = inOrder != nil
        let work: @Sendable (Int) -> Void = { task in
            // Each task's own: what the rules reuse from one document to the next.
            let scratch = RuleScratch()
            while let (index, entry) = queue.next() {
                let item: BatchItem
                switch queue.decode(entry) {
                case .document(let document):
                    // The shared engine is used where it is: `engineFor?(document) ?? engine`
                    // copied it for every document, retaining and releasing each of its tables.
                    let verdict = engineFor.map { $0(document).classify(document, profiler: profiler, scratch: scratch) }
                        ?? engine.classify(document, profiler: profiler, scratch: scratch)
                    item = .verdict(verdict.withCompactedText())
                case .failure(let failure):
                    item = .failure(failure)
                }
                results.set(index, item, rendered: rendersOutput ? render(item) : nil, task: task)
            }
        }
        if tasks < 2 {
            work(0)
        } else {
            DispatchQueue.concurrentPerform(iterations: tasks) { task in work(task) }
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
    ///
    /// Built from the fields it keeps: copied whole and then emptied, the verdict's every array
    /// and string was retained and released again, and an empty text view made three arrays.
    public var outcomeOnly: BatchItem {
        guard case .verdict(let verdict) = self else { return self }
        var document = Document(id: verdict.document.id, body: "")
        document.origin = verdict.document.origin
        let sentiment = verdict.sentiment
        return .verdict(Verdict(document: document, language: verdict.language, labels: verdict.labels, candidateScores: [],
                                sentiment: SentimentResult(score: sentiment.score, label: sentiment.label,
                                                           positive: sentiment.positive, negative: sentiment.negative, terms: []),
                                evidence: [], action: verdict.action, reasons: verdict.reasons, issues: verdict.issues,
                                text: BatchItem.emptyText, suppressedHits: verdict.suppressedHits))
    }

    private static let emptyText = TextView("")
}

/// Results gathered in input order, whichever task finishes first.
private final class ResultSlots<Rendered>: @unchecked Sendable {
    /// A result written out and trimmed (`nil` when it is kept whole), with its rendering: what
    /// is freed once the lock is released.
    private typealias Written = (item: BatchItem?, rendered: Rendered)
    /// Results in input order, up to the first one still missing.
    private var ordered: [BatchItem] = []
    /// Results that finished before an earlier one, by input position, with their rendering and
    /// the task that made them.
    private var waiting: [Int: (item: BatchItem, rendered: Rendered?, kept: BatchItem?, task: Int)] = [:]
    /// By task, the results another task wrote out for it, for it to free (see ``set(_:_:rendered:task:)``).
    private var returned: [[Written]]
    private let lock = NSLock()
    private let inOrder: (@Sendable (BatchItem, Rendered) -> Void)?
    private let progress: (@Sendable (Int) -> Void)?
    private let keep: (@Sendable (BatchItem) -> BatchItem)?
    private var done = 0

    init(tasks: Int, inOrder: (@Sendable (BatchItem, Rendered) -> Void)?, progress: (@Sendable (Int) -> Void)?,
         keep: (@Sendable (BatchItem) -> BatchItem)?) {
        returned = Array(repeating: [], count: max(1, tasks))
        self.inOrder = inOrder
        self.progress = progress
        self.keep = keep
    }

    /// - Parameters:
    ///   - rendered: the item's output, present whenever there is an `inOrder` to get it.
    ///   - task: the task that made the item (from 0).
    func set(_ index: Int, _ item: BatchItem, rendered: Rendered?, task: Int) {
        // What is kept of the result once written, made before the lock is taken: trimming
        // copies the verdict's labels, reasons and issues, a dozen allocations that, made inside,
        // held the other jobs waiting.
        let kept = rendered == nil ? nil : keep.map { $0(item) }
        // The whole results written out, freed once the lock is released (a verdict's evidence
        // and text are hundreds of allocations, and freeing them inside held the other jobs),
        // and by the task that made them: a result that waited for an earlier one is written by
        // the task that finished that one, which hands it back. Freed by a task other than the
        // one that allocated it, each block went back through the allocator's atomic list of
        // another thread's page, a cache line taken from the other core every time.
        var written: [Written] = []
        lock.lock()
        done += 1
        progress?(done)
        // The next result in order (always, with one job) goes out at once; the others wait in
        // the dictionary until those before them are in.
        if index == ordered.count {
            deliver(item, rendered, kept: kept, madeBy: task, for: task, written: &written)
            while !waiting.isEmpty, let ready = waiting.removeValue(forKey: ordered.count) {
                deliver(ready.item, ready.rendered, kept: ready.kept, madeBy: ready.task, for: task, written: &written)
            }
        } else {
            waiting[index] = (item, rendered, kept, task)
        }
        if !returned[task].isEmpty {
            written += returned[task]
            returned[task].removeAll()
        }
        lock.unlock()
        withExtendedLifetime(written) {}
    }

    /// Appends the next result in order, after writing it when there is an `inOrder`; `kept`
    /// (what `keep` made of it, when there is a `keep`) takes its place once written, and the
    /// whole result goes to `written` when `task` made it, else back to the task that did.
    private func deliver(_ item: BatchItem, _ rendered: Rendered?, kept: BatchItem?, madeBy maker: Int, for task: Int,
                         written: inout [Written]) {
        guard let inOrder, let rendered else {
            ordered.append(item)
            return
        }
        inOrder(item, rendered)
        ordered.append(kept ?? item)
        let done: Written = (kept == nil ? nil : item, rendered)
        if maker == task { written.append(done) } else { returned[maker].append(done) }
    }

    func values() -> [BatchItem] {
        lock.lock()
        defer { lock.unlock() }
        precondition(waiting.isEmpty, "every input position is classified once")
        return ordered
    }
}
