import CribleCore
import Foundation

/// A document that could not be read, reported in place of its verdict so that nothing is lost
/// silently and the rest of the batch goes on.
public struct InputFailure: Error, Sendable, Hashable {
    /// The document id when known (`file.jsonl:12` for a JSONL line), else the path.
    public var id: String
    public var message: String
    public var file: String?
    public var line: Int?
    /// Where in the line, in characters from 1, when the problem has a place (a JSON syntax error).
    public var column: Int?
    public init(id: String, message: String, file: String? = nil, line: Int? = nil, column: Int? = nil) {
        self.id = id
        self.message = message
        self.file = file
        self.line = line
        self.column = column
    }

    /// Input that is not UTF-8 (`what`: "the file", "standard input"), placed at its first bad
    /// byte, with the conversion to run when it looks like Latin-1.
    static func notUTF8(_ bytes: some Collection<UInt8>, id: String, file: String?, what: String) -> InputFailure {
        guard let problem = UTF8Problem.first(in: bytes) else {
            return InputFailure(id: id, message: "\(what) is not valid UTF-8", file: file)
        }
        return InputFailure(id: id, message: "\(what) is not valid UTF-8: \(problem)", file: file,
                            line: problem.line, column: problem.column)
    }
}

public enum InputItem: Sendable {
    case document(Document)
    case failure(InputFailure)
}

/// Reads documents from files, folders and standard input.
///
/// - `.txt`, `.md`, `.markdown`: one document; its id is the path, its first line the title.
/// - `.jsonl`, `.ndjson`: one document per line with `id`, `text`, optional `title` and `lang`.
/// - folders: every such file below, recursively, in sorted order.
/// - `.rss`, `.atom`, `.xml`: a feed; every item is a document (see ``FeedReader``).
/// - `-`: standard input, read as JSONL, line by line as it arrives, when its first non-blank
///   line is a JSON object; else read whole, as JSONL when every non-blank line starts with `{`
///   (so broken lines are reported one by one), or as one text.
public struct DocumentReader: Sendable {
    public static let textExtensions: Set<String> = ["txt", "md", "markdown", "text"]
    public static let jsonlExtensions: Set<String> = ["jsonl", "ndjson"]

    public var textField = "text"
    public var idField = "id"
    public var titleField = "title"
    public var languageField = "lang"
    /// Which files found inside folders are read (include and exclude globs); files named on the
    /// command line are always read.
    public var admits: @Sendable (String) -> Bool = { _ in true }
    /// Read every input as this type, whatever its extension (`--input-type`).
    public var forcedType: InputType?
    /// Leave fenced code blocks of Markdown out of the analysis.
    public var skipCodeBlocks = false
    /// The language of every document whose input declares none (`--lang`); see
    /// ``Document/assuming(language:)``.
    public var assumedLanguage: String?

    public enum InputType: String, Sendable, CaseIterable {
        case text, markdown, jsonl, feed, html
    }

    func type(of path: String) -> InputType {
        if let forcedType { return forcedType }
        let ext = (path as NSString).pathExtension.lowercased()
        if DocumentReader.jsonlExtensions.contains(ext) { return .jsonl }
        if FeedReader.extensions.contains(ext) { return .feed }
        if HTMLReader.extensions.contains(ext) { return .html }
        if ext == "md" || ext == "markdown" { return .markdown }
        return .text
    }

    public init() {}

    /// Expands folders into their files, in sorted order; missing paths become failures.
    public func expand(_ paths: [String]) -> [Result<String, InputFailure>] {
        var results: [Result<String, InputFailure>] = []
        for path in paths {
            if path == "-" { results.append(.success(path)); continue }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                results.append(.failure(InputFailure(id: path, message: "no such file or folder", file: path)))
                continue
            }
            if !isDirectory.boolValue { results.append(.success(path)); continue }
            let enumerator = FileManager.default.enumerator(atPath: path)
            var files: [String] = []
            while let relative = enumerator?.nextObject() as? String {
                let name = (relative as NSString).lastPathComponent
                if name.hasPrefix(".") || relative.split(separator: "/").contains(where: { $0.hasPrefix(".") }) { continue }
                let ext = (name as NSString).pathExtension.lowercased()
                if DocumentReader.textExtensions.contains(ext) || DocumentReader.jsonlExtensions.contains(ext)
                    || FeedReader.extensions.contains(ext) || HTMLReader.extensions.contains(ext) {
                    files.append((path as NSString).appendingPathComponent(relative))
                }
            }
            results += files.sorted().filter(admits).map { .success($0) }
        }
        return results
    }

    /// A file that is not UTF-8 text, named as such rather than read as text or reported as text
    /// in the wrong encoding: UTF-16 (its byte-order mark), a PDF, office document or archive (its
    /// first bytes, whatever its name), or binary (more than one NUL byte, and more than one in a
    /// hundred of its first 8 KB, which no text holds). A stray NUL is not enough, and JSON lines
    /// are never judged by their NULs: that document, or each such line, is read and reported on
    /// its own, and nothing else is lost.
    static func binaryFailure(_ data: Data, path: String, judgingNULs: Bool = true) -> InputItem? {
        let head = [UInt8](data.prefix(8192))
        let kind: String
        if head.starts(with: [0xFF, 0xFE]) || head.starts(with: [0xFE, 0xFF]) {
            kind = "UTF-16 text: convert it with `iconv -f UTF-16 -t UTF-8`"
        } else if head.starts(with: Array("%PDF-".utf8)) {
            kind = "a PDF file: extract its text first (for instance with `pdftotext`)"
        } else if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) || head.starts(with: [0xD0, 0xCF, 0x11, 0xE0]) {
            // Zip (docx, odt, xlsx, zip) and the older office format.
            kind = ["doc", "docx", "odt", "rtf", "pages", "xls", "xlsx", "ods", "ppt", "pptx", "odp"]
                .contains((path as NSString).pathExtension.lowercased())
                ? "an office document: export it as text or Markdown first" : "a zip archive or office document: extract its text first"
        } else if head.starts(with: [0x1F, 0x8B]) || head.starts(with: [0x42, 0x5A, 0x68]) || head.starts(with: [0xFD, 0x37, 0x7A, 0x58, 0x5A])
                    || head.starts(with: [0x28, 0xB5, 0x2F, 0xFD]) {
            kind = "compressed (gzip, bzip2, xz or zstd): decompress it first"
        } else if judgingNULs, case let nulls = head.lazy.filter({ $0 == 0 }).count, nulls > 1, nulls * 100 > head.count {
            kind = "binary (it holds NUL bytes); Crible reads text, Markdown, JSON lines, HTML and RSS or Atom feeds"
        } else {
            return nil
        }
        return .failure(InputFailure(id: path, message: "the file is \(kind)", file: path))
    }

    /// Every input of `paths`, read now. `crible classify` reads through an ``InputQueue``
    /// instead, as the batch goes; this is for commands that need all documents at once.
    public func read(paths: [String], standardInput: FileHandle = .standardInput) -> [InputItem] {
        InputQueue(paths: paths, reader: self, standardInput: standardInput).drain()
    }

    public func read(file path: String) -> [InputItem] {
        guard let data = FileManager.default.contents(atPath: path) else {
            return [.failure(InputFailure(id: path, message: "cannot read the file", file: path))]
        }
        let type = type(of: path)
        // An XML parser reads feeds in UTF-16 too.
        if type == .feed { return FeedReader().read(data, source: path) }
        if let failure = DocumentReader.binaryFailure(data, path: path, judgingNULs: type != .jsonl) { return [failure] }
        if type == .jsonl { return readJSONLines(data, source: path) }
        if type == .html { return [HTMLReader().read(data, path: path)] }
        guard let text = decodeUTF8(data) else {
            return [.failure(InputFailure.notUTF8(data, id: path, file: path, what: "the file"))]
        }
        let body = type == .markdown ? MarkdownText.analysable(text, skipCodeBlocks: skipCodeBlocks) : text
        var document = Document(id: path, body: body, titleIsFirstLine: true)
        document.origin = Document.Origin(file: path)
        return [.document(document)]
    }

    func readStandardInput(_ data: Data) -> [InputItem] {
        guard let text = decodeUTF8(data) else {
            return [.failure(InputFailure.notUTF8(data, id: "stdin", file: nil, what: "standard input"))]
        }
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        switch forcedType {
        case .jsonl: return readJSONLines(data, source: "stdin")
        case .feed: return FeedReader().read(data, source: "stdin")
        case .html: return [HTMLReader().read(data, path: "stdin")]
        case .markdown: return [.document(Document(id: "stdin", body: MarkdownText.analysable(text, skipCodeBlocks: skipCodeBlocks), titleIsFirstLine: true))]
        case .text: return [.document(Document(id: "stdin", body: text, titleIsFirstLine: true))]
        case nil: break
        }
        if !lines.isEmpty, lines.allSatisfy({ $0.hasPrefix("{") }) { return readJSONLines(data, source: "stdin") }
        return [.document(Document(id: "stdin", body: text, titleIsFirstLine: true))]
    }

    /// One document per line. A broken line becomes a failure naming `source:line`; the other
    /// lines are still read.
    public func readJSONLines(_ data: Data, source: String) -> [InputItem] {
        DocumentReader.nonBlankLines(of: data).map { line, bytes in item(fromJSONLine: bytes, source: source, line: line) }
    }

    /// The JSON object on each non-blank line, or why the line is not one.
    public func jsonObjects(in data: Data, source: String) -> [(line: Int, object: Result<[String: Any], InputFailure>)] {
        DocumentReader.nonBlankLines(of: data).map { line, bytes in (line, jsonObject(line: bytes, source: source, lineNumber: line)) }
    }

    /// Each line holding more than spaces and tabs, with its number from 1.
    static func nonBlankLines(of data: Data) -> [(line: Int, bytes: ArraySlice<UInt8>)] {
        var lines: [(line: Int, bytes: ArraySlice<UInt8>)] = []
        let bytes = [UInt8](data)
        var lineNumber = 0
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != 0x0A { end += 1 }
            lineNumber += 1
            let line = bytes[start..<end]
            start = end + 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            lines.append((lineNumber, line))
        }
        return lines
    }

    /// The JSON object of one line, or why the line is not one.
    func jsonObject(line: ArraySlice<UInt8>, source: String, lineNumber: Int) -> Result<[String: Any], InputFailure> {
        func failure(_ message: String, column: Int? = nil) -> Result<[String: Any], InputFailure> {
            .failure(InputFailure(id: "\(source):\(lineNumber)", message: message, file: source, line: lineNumber, column: column))
        }
        guard String(validating: line, as: UTF8.self) != nil else {
            guard let problem = UTF8Problem.first(in: line) else { return failure("line \(lineNumber) is not valid UTF-8") }
            return failure("line \(lineNumber) is not valid UTF-8: \(problem.descriptionWithinLine)", column: problem.column)
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(line), options: [.fragmentsAllowed]) else {
            // Foundation says only that the line failed; the grammar walk says where and why.
            guard let problem = JSONSyntax.firstProblem(in: line) else { return failure("line \(lineNumber) is not valid JSON") }
            let column = JSONSyntax.column(ofByte: problem.offset, in: line)
            return failure("line \(lineNumber) is not valid JSON: \(problem.message) (column \(column))", column: column)
        }
        guard let fields = object as? [String: Any] else {
            return failure("line \(lineNumber) is not a JSON object")
        }
        return .success(fields)
    }

    /// The document on one JSONL line, or why there is none.
    public func item(fromJSONLine line: ArraySlice<UInt8>, source: String, line lineNumber: Int) -> InputItem {
        // Nearly every line is an object of strings and a few other values: its strings are read
        // straight from the bytes (Foundation's parser, with a dictionary of every value, had
        // cost a sixth of classifying with a small rule set). Anything else, errors included,
        // goes through Foundation, as before.
        if let strings = JSONSyntax.stringFields(of: line, requiredString: idField) {
            return document(id: strings[idField], strings: strings, source: source, line: lineNumber)
        }
        return item(from: jsonObject(line: line, source: source, lineNumber: lineNumber), source: source, line: lineNumber)
    }

    /// The document of a parsed JSONL line, or why there is none.
    func item(from parsed: Result<[String: Any], InputFailure>, source: String, line: Int) -> InputItem {
        switch parsed {
        case .failure(let failure): .failure(failure)
        case .success(let object): document(from: object, source: source, line: line)
        }
    }

    /// Whether a line holds a JSON object: what makes standard input JSONL.
    static func isJSONObject(_ line: ArraySlice<UInt8>) -> Bool {
        (try? JSONSerialization.jsonObject(with: Data(line))) is [String: Any]
    }

    /// The document a JSON object describes, or why it does not describe one.
    public func document(from fields: [String: Any], source: String, line: Int) -> InputItem {
        let id = (fields[idField] as? String) ?? (fields[idField] as? NSNumber)?.stringValue
        return document(id: id, strings: fields.compactMapValues { $0 as? String }, source: source, line: line)
    }

    /// The document of a JSONL line's string fields (`id` given apart: it may be a number).
    func document(id: String?, strings: [String: String], source: String, line: Int) -> InputItem {
        let id = id ?? "\(source):\(line)"
        guard let text = strings[textField] else {
            return .failure(InputFailure(id: id, message: "line \(line) has no string field `\(textField)`", file: source, line: line))
        }
        var metadata: [String: String] = [:]
        for (key, value) in strings where ![idField, textField, titleField, languageField].contains(key) {
            metadata[key] = value
        }
        var document = Document(id: id, title: strings[titleField], body: text,
                                language: strings[languageField], metadata: metadata)
        if source != "stdin" { document.origin = Document.Origin(file: source, line: line) }
        return .document(document)
    }

    func decodeUTF8(_ data: Data) -> String? {
        var bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        return String(validating: bytes, as: UTF8.self)
    }
}

/// What of a Markdown file is analysed: everything, except the YAML front matter and (on request)
/// fenced code blocks, which are blanked out rather than removed so that every offset, line and
/// column still points at the same place in the file.
enum MarkdownText {
    static func analysable(_ text: String, skipCodeBlocks: Bool) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        func blank(_ index: Int) {
            lines[index] = String(lines[index].unicodeScalars.map { $0 == "\r" ? "\r" : " " })
        }
        if lines.first?.trimmingCharacters(in: .whitespaces) == "---",
           let end = lines.dropFirst().firstIndex(where: { ["---", "..."].contains($0.trimmingCharacters(in: .whitespaces)) }) {
            for index in 0...end { blank(index) }
        }
        if skipCodeBlocks {
            var fence: String?
            for index in lines.indices {
                let trimmed = lines[index].trimmingCharacters(in: .whitespaces)
                if let open = fence {
                    blank(index)
                    if trimmed.hasPrefix(open) { fence = nil }
                } else if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
                    fence = String(trimmed.prefix(3))
                    blank(index)
                }
            }
        }
        return lines.joined(separator: "\n")
    }
}
