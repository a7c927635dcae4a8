import CribleCore
import CribleRules
import Dispatch
import Foundation

/// A classifier that runs as a separate program, for models written in other languages.
///
/// Protocol, one JSON object per line:
/// - Crible writes `{"id": "…", "text": "…", "lang": "fr"}` (the text is the document's content:
///   title, blank line, body);
/// - the program answers `{"id": "…", "labels": [{"label": "moderation/hate", "score": 0.93,
///   "spans": [[12, 20]]}]}` — scores in [0, 1], spans as UTF-8 byte offsets into `text` (optional).
///
/// The program is started on first use and kept running. A document that takes longer than the
/// time limit, a crash, or an answer that is not what the protocol says is reported on that
/// document (the rest of the verdict stands) and the program is restarted for the next one; after
/// three failures in a row it is not started again in this run.
public final class ExternalCommandClassifier: Classifier, @unchecked Sendable {
    public enum Failure: Error, CustomStringConvertible {
        case cannotStart(String)
        case timedOut(Double)
        case exited
        case malformed(String)
        case disabled

        public var description: String {
            switch self {
            case .cannotStart(let reason): "cannot start the program: \(reason)"
            case .timedOut(let seconds): "no answer within \(seconds) s; the program was stopped and will be restarted"
            case .exited: "the program exited; it will be restarted"
            case .malformed(let reason): "malformed answer: \(reason)"
            case .disabled: "not run: the program failed three times in a row"
            }
        }
    }

    public let definition: ExternalPluginDefinition
    private let lock = NSLock()
    private var process: Process?
    private var input: FileHandle?
    private var output: FileHandle?
    private var buffer: [UInt8] = []
    private var consecutiveFailures = 0
    private let readQueue = DispatchQueue(label: "crible.external-plugin.read")

    public init(definition: ExternalPluginDefinition) {
        self.definition = definition
    }

    deinit { stop() }

    public var descriptor: ClassifierDescriptor {
        ClassifierDescriptor(id: definition.id, labels: definition.labels, languages: definition.languages,
                             summary: definition.description,
                             examples: definition.examples.map { ClassifierExample($0.text, labels: $0.labels) })
    }

    public func classify(_ context: DocumentContext) throws -> [Evidence] {
        lock.lock()
        defer { lock.unlock() }
        guard consecutiveFailures < 3 else { throw Failure.disabled }
        do {
            let evidence = try exchange(context)
            consecutiveFailures = 0
            return evidence
        } catch {
            consecutiveFailures += 1
            stop()
            throw error
        }
    }

    private func exchange(_ context: DocumentContext) throws -> [Evidence] {
        if process == nil || process?.isRunning == false { try start() }
        let request = JSONValue.object([("id", .string(context.document.id)),
                                        ("text", .string(context.document.content)),
                                        ("lang", .string(context.language.code))]).serialized() + "\n"
        do {
            try input?.write(contentsOf: Data(request.utf8))
        } catch {
            throw Failure.exited
        }
        guard let line = try readLine(timeout: definition.timeout) else { throw Failure.exited }
        return try parse(line, context: context)
    }

    private func start() throws {
        stop()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = definition.command
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.standardError
        do { try process.run() } catch { throw Failure.cannotStart("\(error)") }
        self.process = process
        self.input = stdin.fileHandleForWriting
        self.output = stdout.fileHandleForReading
        self.buffer = []
    }

    private func stop() {
        if let process, process.isRunning { process.terminate() }
        try? input?.close()
        process = nil
        input = nil
        output = nil
        buffer = []
    }

    /// The next line from the program, or `nil` at end of output; throws when the time runs out.
    private func readLine(timeout: Double) throws -> String? {
        if let line = takeLine() { return line }
        guard let output else { return nil }
        let done = DispatchSemaphore(value: 0)
        let collected = Collected()
        readQueue.async {
            while true {
                let chunk = output.availableData
                if chunk.isEmpty { collected.ended = true; break }
                collected.bytes += chunk
                if chunk.contains(0x0A) { break }
            }
            done.signal()
        }
        if done.wait(timeout: .now() + timeout) == .timedOut {
            process?.terminate()
            done.wait()
            throw Failure.timedOut(timeout)
        }
        buffer += collected.bytes
        if let line = takeLine() { return line }
        return nil
    }

    private final class Collected: @unchecked Sendable {
        var bytes: [UInt8] = []
        var ended = false
    }

    private func takeLine() -> String? {
        guard let newline = buffer.firstIndex(of: 0x0A) else { return nil }
        let line = String(decoding: buffer[..<newline], as: UTF8.self)
        buffer.removeSubrange(...newline)
        return line
    }

    private func parse(_ line: String, context: DocumentContext) throws -> [Evidence] {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] else {
            throw Failure.malformed("not a JSON object: \(line.prefix(80))")
        }
        guard object["id"] as? String == context.document.id else {
            throw Failure.malformed("`id` is \(object["id"].map { "\($0)" } ?? "missing"), expected \(context.document.id)")
        }
        guard let labels = object["labels"] as? [[String: Any]] else {
            throw Failure.malformed("`labels` must be a list of {label, score, spans}")
        }
        let length = context.text.original.count
        return try labels.map { entry in
            guard let label = entry["label"] as? String, definition.labels.contains(label) else {
                throw Failure.malformed("label \(entry["label"].map { "\($0)" } ?? "missing") is not one of \(definition.labels)")
            }
            guard let score = (entry["score"] as? NSNumber)?.doubleValue, (0...1).contains(score) else {
                throw Failure.malformed("`score` of \(label) must be a number in [0, 1]")
            }
            var spans: [Range<Int>] = []
            for pair in entry["spans"] as? [[Any]] ?? [] {
                guard pair.count == 2, let start = (pair[0] as? NSNumber)?.intValue, let end = (pair[1] as? NSNumber)?.intValue,
                      start >= 0, start < end, end <= length else {
                    throw Failure.malformed("span \(pair) of \(label) is not [start, end] inside the text (\(length) bytes)")
                }
                spans.append(start..<end)
            }
            let hits = spans.isEmpty ? [Hit(spans: [])] : spans.map { Hit($0) }
            return Evidence(ruleID: definition.id, label: label, weight: max(0.001, min(score, 0.999)), hits: hits,
                            source: .plugin(id: definition.id), note: String(format: "score %.2f from %@", score, definition.command.joined(separator: " ")))
        }.filter { $0.weight > 0.001 }
    }
}
