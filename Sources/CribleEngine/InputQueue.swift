import CribleCore
import Foundation

/// The inputs of a run, handed to a batch one at a time and read only when asked for.
///
/// Folders are read file by file and JSONL files and streams line by line, so a run starts
/// classifying (and a streamed report starts printing) at once, and a batch of any size is never
/// held in memory whole: `producer | crible classify -` prints each verdict while the producer is
/// still writing. Inputs are numbered in the order they are read, which is the order of the
/// report whatever the parallelism.
public final class InputQueue: @unchecked Sendable {
    /// What a batch task takes: an input ready to classify, or a JSONL line that the task decodes
    /// itself (``decode(_:)``), outside the queue's lock, so that decoding runs on every core.
    public enum Entry: Sendable {
        case ready(InputItem)
        case jsonLine(bytes: [UInt8], source: String, line: Int)
    }

    /// Inputs already in memory, taken from the end (stored reversed), so that each is released
    /// as soon as it is taken and no copy of the list is made.
    private final class Stack {
        var items: [InputItem]
        init(reversed items: [InputItem]) { self.items = items }
    }

    private enum Source {
        case items(Stack)
        case file(String)
        case standardInput
        case lines(LineReader, source: String)
    }

    public let reader: DocumentReader
    /// How many inputs there are, when known before reading (a list given whole); `nil` when
    /// files and streams are read as the batch goes.
    public let count: Int?
    private var sources: [Source]
    private var taken = 0
    private let standardInput: Int32
    private let lock = NSLock()

    /// Inputs already read (tests, evaluation, benchmarks).
    public init(items: consuming [InputItem], reader: DocumentReader = DocumentReader()) {
        self.reader = reader
        count = items.count
        sources = [.items(Stack(reversed: items.reversed()))]
        standardInput = FileHandle.standardInput.fileDescriptor
    }

    /// Files, folders (expanded now, read later) and `-` for standard input.
    public init(paths: [String], reader: DocumentReader, standardInput: FileHandle = .standardInput) {
        self.reader = reader
        count = nil
        self.standardInput = standardInput.fileDescriptor
        sources = reader.expand(paths).reversed().map { entry in
            switch entry {
            case .failure(let failure): .items(Stack(reversed: [.failure(failure)]))
            case .success("-"): .standardInput
            case .success(let path): .file(path)
            }
        }
    }

    /// The next input and its position in the run, or `nil` when every source is exhausted.
    /// Thread-safe; reads from disk or the stream as needed.
    public func next() -> (index: Int, entry: Entry)? {
        lock.lock()
        defer { lock.unlock() }
        while let source = sources.popLast() {
            switch source {
            case .items(let stack):
                guard let item = stack.items.popLast() else { continue }
                sources.append(source)
                return (number(), .ready(item))
            case .file(let path):
                sources.append(fileSource(path))
            case .standardInput:
                sources.append(readStandardInput())
            case .lines(let lines, let name):
                switch lines.nextLine() {
                case nil:
                    continue
                case .success(let (bytes, line))?:
                    sources.append(source)
                    return (number(), .jsonLine(bytes: bytes, source: name, line: line))
                case .failure(let error)?:
                    let failure = InputFailure(id: "\(name):\(lines.lineNumber + 1)", message: error.message,
                                               file: name, line: lines.lineNumber + 1)
                    return (number(), .ready(.failure(failure)))
                }
            }
        }
        return nil
    }

    /// The input an entry stands for (a JSONL line decoded into a document, or why it is not one).
    public func decode(_ entry: Entry) -> InputItem {
        let item = switch entry {
        case .ready(let item): item
        case .jsonLine(let bytes, let source, let line): reader.item(fromJSONLine: bytes[...], source: source, line: line)
        }
        guard let language = reader.assumedLanguage, case .document(let document) = item else { return item }
        return .document(document.assuming(language: language))
    }

    /// Every remaining input, read and decoded: for commands that need them all at once.
    public func drain() -> [InputItem] {
        var items: [InputItem] = []
        while let (_, entry) = next() { items.append(decode(entry)) }
        return items
    }

    private func number() -> Int {
        taken += 1
        return taken - 1
    }

    private func fileSource(_ path: String) -> Source {
        guard reader.type(of: path) == .jsonl else { return .items(Stack(reversed: reader.read(file: path).reversed())) }
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            return .items(Stack(reversed: [.failure(InputFailure(id: path, message: "cannot read the file", file: path))]))
        }
        return .lines(LineReader(descriptor: descriptor, closesWhenDone: true), source: path)
    }

    /// Standard input is JSONL, read as it arrives, when `--input-type jsonl` says so or when its
    /// first non-blank line is a JSON object; anything else is read whole (one text, a feed, a
    /// page, or JSONL whose first line is broken, as ``DocumentReader`` decides).
    private func readStandardInput() -> Source {
        let lines = LineReader(descriptor: standardInput, closesWhenDone: false)
        switch reader.forcedType {
        case .jsonl:
            return .lines(lines, source: "stdin")
        case nil:
            if let first = lines.firstNonBlankLine(), DocumentReader.isJSONObject(first) {
                return .lines(lines, source: "stdin")
            }
        default:
            break
        }
        switch lines.remainingBytes() {
        case .success(let bytes):
            return .items(Stack(reversed: reader.readStandardInput(Data(bytes)).reversed()))
        case .failure(let error):
            return .items(Stack(reversed: [.failure(InputFailure(id: "stdin", message: error.message))]))
        }
    }
}

/// Lines of a file descriptor, read in chunks as they are asked for.
final class LineReader {
    struct ReadError: Error { let message: String }

    private let descriptor: Int32
    private let closesWhenDone: Bool
    private var buffer: [UInt8] = []
    private var start = 0
    private var atEnd = false
    /// Lines handed out so far, blank ones included: the number of the last line returned.
    private(set) var lineNumber = 0

    init(descriptor: Int32, closesWhenDone: Bool) {
        self.descriptor = descriptor
        self.closesWhenDone = closesWhenDone
    }

    deinit { finish() }

    /// The next line that is not blank, without its line end, and its 1-based number; `nil` at
    /// the end; the read error if reading failed (reading then stops).
    func nextLine() -> Result<([UInt8], Int), ReadError>? {
        while true {
            if let newline = buffer[start...].firstIndex(of: 0x0A) {
                let line = buffer[start..<newline]
                start = newline + 1
                lineNumber += 1
                if !isBlank(line) { return .success((Array(line), lineNumber)) }
                continue
            }
            if atEnd {
                guard start < buffer.count else { return nil }
                let line = buffer[start...]
                start = buffer.count
                lineNumber += 1
                return isBlank(line) ? nil : .success((Array(line), lineNumber))
            }
            if let error = fill() { return .failure(error) }
        }
    }

    /// The first non-blank line, read ahead without being consumed (to decide what a stream is).
    func firstNonBlankLine() -> ArraySlice<UInt8>? {
        var lineStart = start
        while true {
            if let newline = buffer[lineStart...].firstIndex(of: 0x0A) {
                let line = buffer[lineStart..<newline]
                if !isBlank(line) { return line }
                lineStart = newline + 1
                continue
            }
            if atEnd { return isBlank(buffer[lineStart...]) ? nil : buffer[lineStart...] }
            // `fill` may move the unread bytes to the front of the buffer.
            let offset = lineStart - start
            if fill() != nil { return nil }
            lineStart = start + offset
        }
    }

    /// Everything not yet handed out, up to the end of the input.
    func remainingBytes() -> Result<[UInt8], ReadError> {
        while !atEnd {
            if let error = fill() { return .failure(error) }
        }
        defer { start = buffer.count }
        return .success(Array(buffer[start...]))
    }

    private func isBlank(_ line: ArraySlice<UInt8>) -> Bool {
        line.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
    }

    /// Reads the next chunk; on error, or at the end, closes the input.
    private func fill() -> ReadError? {
        if start > 0 && start * 2 >= buffer.count {
            buffer.removeFirst(start)
            start = 0
        }
        let chunk = 1 << 16
        let oldCount = buffer.count
        buffer.reserveCapacity(oldCount + chunk)
        var readCount = 0
        buffer.append(contentsOf: repeatElement(0, count: chunk))
        repeat {
            readCount = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + oldCount, chunk) }
        } while readCount < 0 && errno == EINTR
        if readCount < 0 {
            let message = "cannot read after line \(lineNumber): \(String(cString: strerror(errno)))"
            buffer.removeLast(chunk)
            atEnd = true
            finish()
            return ReadError(message: message)
        }
        buffer.removeLast(chunk - readCount)
        if readCount == 0 {
            atEnd = true
            finish()
        }
        return nil
    }

    private var finished = false
    private func finish() {
        guard !finished else { return }
        finished = true
        if closesWhenDone { close(descriptor) }
    }
}
