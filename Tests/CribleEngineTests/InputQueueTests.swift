import CribleCore
@testable import CribleEngine
import Foundation
import XCTest

final class InputQueueTests: XCTestCase {
    private func documentIDs(_ items: [InputItem]) -> [String] {
        items.map { item in
            switch item {
            case .document(let document): document.id
            case .failure(let failure): "failure \(failure.id)"
            }
        }
    }

    /// Standard input given as a pipe holding `text`, closed for writing.
    private func pipe(holding text: String) throws -> Pipe {
        let pipe = Pipe()
        pipe.fileHandleForWriting.write(Data(text.utf8))
        try pipe.fileHandleForWriting.close()
        return pipe
    }

    func testAJSONLStreamIsHandedOutLineByLineBeforeItEnds() throws {
        let pipe = Pipe()
        let queue = InputQueue(paths: ["-"], reader: DocumentReader(), standardInput: pipe.fileHandleForReading)
        pipe.fileHandleForWriting.write(Data((#"{"id": "first", "text": "Un"}"# + "\n").utf8))
        // The writer has not closed the stream: the first document must come anyway. (Waited
        // for on another thread, so that a queue reading to the end fails the test, not hangs it.)
        let firstTaken = expectation(description: "the first line is handed out before the stream ends")
        let box = LockedEntry()
        DispatchQueue.global().async {
            box.value = queue.next()
            firstTaken.fulfill()
        }
        if XCTWaiter().wait(for: [firstTaken], timeout: 20) != .completed {
            try pipe.fileHandleForWriting.close()
            return XCTFail("the queue waited for the end of the stream")
        }
        guard let (index, entry) = box.value else { return XCTFail("the first line should be available") }
        XCTAssertEqual(index, 0)
        XCTAssertEqual(documentIDs([queue.decode(entry)]), ["first"])
        pipe.fileHandleForWriting.write(Data(("\n   \n" + #"{"id": "second", "text": "Deux"}"#).utf8))
        try pipe.fileHandleForWriting.close()
        guard let (secondIndex, second) = queue.next() else { return XCTFail("the last line has no line feed but counts") }
        XCTAssertEqual(secondIndex, 1)
        guard case .jsonLine(_, let source, let line) = second else { return XCTFail("expected an undecoded line") }
        XCTAssertEqual(source, "stdin")
        XCTAssertEqual(line, 4, "blank lines are counted in line numbers")
        XCTAssertNil(queue.next())
    }

    func testStandardInputStartingWithTextIsOneDocument() throws {
        let stdin = try pipe(holding: "Titre\n{pas du JSON}\nCorps du texte.\n")
        let items = DocumentReader().read(paths: ["-"], standardInput: stdin.fileHandleForReading)
        XCTAssertEqual(documentIDs(items), ["stdin"])
        guard case .document(let document) = items.first else { return XCTFail() }
        XCTAssertEqual(document.title, "Titre")
        XCTAssertTrue(document.body.contains("Corps du texte."))
    }

    func testStandardInputWithABrokenFirstLineIsStillReadAsJSONLWhenEveryLineLooksLikeIt() throws {
        let stdin = try pipe(holding: "{\"id\": \"a\", \"text\":\n{\"id\": \"b\", \"text\": \"Deux\"}\n")
        let items = DocumentReader().read(paths: ["-"], standardInput: stdin.fileHandleForReading)
        XCTAssertEqual(documentIDs(items), ["failure stdin:1", "b"])
    }

    func testBrokenLinesOfAStreamAreFailuresAndTheRestIsRead() throws {
        let stdin = try pipe(holding: "{\"id\": \"a\", \"text\": \"Un\"}\r\nnot json\n[1]\n{\"id\": \"d\", \"text\": \"Quatre\"}\n")
        let items = DocumentReader().read(paths: ["-"], standardInput: stdin.fileHandleForReading)
        XCTAssertEqual(documentIDs(items), ["a", "failure stdin:2", "failure stdin:3", "d"])
    }

    func testForcedTextTypeReadsAJSONLookingStreamWhole() throws {
        var reader = DocumentReader()
        reader.forcedType = .text
        let stdin = try pipe(holding: "{\"id\": \"a\", \"text\": \"Un\"}\n")
        XCTAssertEqual(documentIDs(reader.read(paths: ["-"], standardInput: stdin.fileHandleForReading)), ["stdin"])
    }

    func testLongLinesAcrossReadChunksAreWhole() throws {
        let long = String(repeating: "mot ", count: 60_000)  // 240 KB: several read chunks
        let lines = (0..<3).map { #"{"id": "d\#($0)", "text": "\#(long)"}"# }.joined(separator: "\n")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("crible-queue-\(UUID().uuidString).jsonl")
        try Data(lines.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let items = DocumentReader().read(paths: [file.path])
        XCTAssertEqual(documentIDs(items), ["d0", "d1", "d2"])
        guard case .document(let last) = items.last else { return XCTFail() }
        XCTAssertEqual(last.body.utf8.count, long.utf8.count)
        XCTAssertEqual(last.origin?.line, 3)
    }

    func testFilesAreReadInOrderAsTheyAreReached() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("crible-queue-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("Premier".utf8).write(to: folder.appendingPathComponent("a.txt"))
        try Data("{\"id\": \"b1\", \"text\": \"x\"}\n{\"id\": \"b2\", \"text\": \"y\"}\n".utf8).write(to: folder.appendingPathComponent("b.jsonl"))
        let queue = InputQueue(paths: [folder.path], reader: DocumentReader())
        XCTAssertNil(queue.count, "files are counted as they are read")
        guard case .ready(.document(let first))? = queue.next()?.entry else { return XCTFail("a.txt comes first") }
        XCTAssertEqual(first.body, "Premier")
        // Folders are listed when the run starts; each file is read when the batch reaches it.
        try Data("{\"id\": \"b3\", \"text\": \"z\"}\n".utf8).write(to: folder.appendingPathComponent("b.jsonl"))
        try Data("Dernier".utf8).write(to: folder.appendingPathComponent("c.txt"))
        XCTAssertEqual(documentIDs(queue.drain()), ["b3"])
    }

    func testBatchesFromAQueueKeepInputOrderOnEveryCore() throws {
        let engine = bundledEngine
        let lines = (0..<60).map { #"{"id": "n\#($0)", "text": "Texte numéro \#($0) sur l'intelligence artificielle."}"# }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("crible-queue-\(UUID().uuidString).jsonl")
        try Data((lines + ["broken"]).joined(separator: "\n").utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let emitted = LockedList()
        let items = BatchClassifier(engine: engine, jobs: 2)
            .classify(InputQueue(paths: [file.path], reader: DocumentReader()), inOrder: { emitted.append($0) })
        let expected = (0..<60).map { "n\($0)" } + ["failure \(file.path):61"]
        XCTAssertEqual(items.map(\.identifier), expected)
        XCTAssertEqual(emitted.identifiers, expected)
    }

    /// JSON lines made on two jobs, each by the task that classified its document, come out in
    /// input order and byte for byte as the reporter writes the whole batch; what is kept of each
    /// result afterwards is what `keepAfterOutput` leaves.
    func testOutputRenderedOnEveryCoreIsWrittenInInputOrder() throws {
        let engine = bundledEngine
        let lines = (0..<40).map { #"{"id": "r\#($0)", "text": "Article \#($0) : l'IA générative inquiète les rédactions, bravo !"}"# }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("crible-render-\(UUID().uuidString).jsonl")
        try Data((lines + ["{not json"]).joined(separator: "\n").utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let reporter = JSONLinesReporter(engine: engine)
        let written = LockedBytes()
        let rendered = BatchClassifier(engine: engine, jobs: 2)
            .classify(InputQueue(paths: [file.path], reader: DocumentReader()), rendering: { reporter.lineBytes(for: $0) },
                      inOrder: { _, line in written.append(line) }, keepAfterOutput: { $0.outcomeOnly })
        let whole = BatchClassifier(engine: engine, jobs: 1).classify(InputQueue(paths: [file.path], reader: DocumentReader()))
        XCTAssertEqual(String(decoding: written.bytes, as: UTF8.self), reporter.report(whole))
        XCTAssertEqual(rendered.map(\.identifier), whole.map(\.identifier))
        guard case .verdict(let kept) = rendered[0], case .verdict(let full) = whole[0] else { return XCTFail("r0 is a verdict") }
        XCTAssertFalse(full.evidence.isEmpty, "the text has evidence to drop")
        XCTAssertTrue(kept.evidence.isEmpty, "only the outcome is kept once written")
        XCTAssertEqual(kept.action, full.action)
        // Every result, whichever task wrote it out (one that waited for an earlier result is
        // written by the task that finished that one), is kept trimmed, with its outcome.
        for (kept, full) in zip(rendered, whole) {
            guard case .verdict(let kept) = kept, case .verdict(let full) = full else { continue }
            XCTAssertTrue(kept.evidence.isEmpty && kept.text.original.isEmpty, kept.document.id)
            XCTAssertEqual(kept.action, full.action, kept.document.id)
            XCTAssertEqual(kept.labels, full.labels, kept.document.id)
        }
    }
}

private final class LockedEntry: @unchecked Sendable {
    private var stored: (index: Int, entry: InputQueue.Entry)?
    private let lock = NSLock()
    var value: (index: Int, entry: InputQueue.Entry)? {
        get { lock.lock(); defer { lock.unlock() }; return stored }
        set { lock.lock(); stored = newValue; lock.unlock() }
    }
}

private final class LockedList: @unchecked Sendable {
    private var items: [String] = []
    private let lock = NSLock()
    func append(_ item: BatchItem) { lock.lock(); items.append(item.identifier); lock.unlock() }
    var identifiers: [String] { lock.lock(); defer { lock.unlock() }; return items }
}

private final class LockedBytes: @unchecked Sendable {
    private var stored: [UInt8] = []
    private let lock = NSLock()
    func append(_ bytes: [UInt8]) { lock.lock(); stored += bytes; lock.unlock() }
    var bytes: [UInt8] { lock.lock(); defer { lock.unlock() }; return stored }
}

private extension BatchItem {
    var identifier: String {
        switch self {
        case .verdict(let verdict): verdict.document.id
        case .failure(let failure): "failure \(failure.id)"
        }
    }
}
