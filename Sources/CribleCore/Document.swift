import Foundation

/// One piece of content to classify.
///
/// Content may come with a separate title (JSONL, feeds). The engine analyses title and body
/// together as one text — `title`, a blank line, then `body` — and remembers which part is which,
/// so reporters can say "in the title, column 12" rather than an offset into a string the user
/// never wrote.
public struct Document: Sendable {
    public struct Field: Sendable, Hashable {
        public let name: String
        /// Byte range of this field inside ``Document/content``.
        public let range: Range<Int>
    }

    /// Where a document was read from, for reporters that point at files (SARIF, GitHub).
    public struct Origin: Sendable, Hashable {
        public var file: String
        /// The line of a JSONL input; `nil` when the document is the whole file.
        public var line: Int?
        /// For text extracted from markup (HTML): where each byte of the content was in the file.
        public var sourceMap: SourceMap?
        public init(file: String, line: Int? = nil) {
            self.file = file
            self.line = line
        }
    }

    /// The page text was extracted from, and for each content byte the page bytes it came from.
    public struct SourceMap: Sendable, Hashable {
        public let page: [UInt8]
        public let ranges: [Range<Int>]
        public init(page: [UInt8], ranges: [Range<Int>]) {
            self.page = page
            self.ranges = ranges
        }

        /// The page bytes a content range came from.
        public func pageRange(of content: Range<Int>) -> Range<Int> {
            guard !ranges.isEmpty else { return 0..<0 }
            guard !content.isEmpty else {
                let position = content.lowerBound < ranges.count ? ranges[content.lowerBound].lowerBound : page.count
                return position..<position
            }
            let last = min(content.upperBound, ranges.count) - 1
            return ranges[min(content.lowerBound, ranges.count - 1)].lowerBound..<ranges[last].upperBound
        }
    }

    public let id: String
    public let title: String?
    public var origin: Origin?
    public let body: String
    /// A language given with the input (`lang` in JSONL, a feed's or a page's language,
    /// `--lang`), as its primary subtag (see ``languageCode(of:)``); when absent it is identified.
    public private(set) var declaredLanguage: String?
    public let metadata: [String: String]
    /// What is analysed: title and body joined, or the body alone.
    public let content: String
    public let fields: [Field]
    /// The byte range of the title inside ``content``, if the document has one. For plain files
    /// this is the first non-empty line when more text follows it, which in a news article is its
    /// headline.
    public let titleRange: Range<Int>?

    public init(id: String, title: String? = nil, body: String, language: String? = nil,
                metadata: [String: String] = [:], titleIsFirstLine: Bool = false) {
        self.id = id
        self.declaredLanguage = language.flatMap(Document.languageCode(of:))
        self.metadata = metadata
        self.body = body
        if let title, !title.isEmpty {
            self.title = title
            let titleBytes = title.utf8.count
            self.content = title + "\n\n" + body
            self.fields = [Field(name: "title", range: 0..<titleBytes),
                           Field(name: "text", range: (titleBytes + 2)..<(titleBytes + 2 + body.utf8.count))]
            self.titleRange = 0..<titleBytes
        } else {
            self.content = body
            self.fields = [Field(name: "text", range: 0..<body.utf8.count)]
            // A first line is a headline only when something follows it: a one-line comment is
            // all body, and counting its words double would make weak rules fire on their own.
            let firstLine = titleIsFirstLine ? Document.firstLineRange(of: body).flatMap { range in
                body.utf8.dropFirst(range.upperBound).contains { ![0x20, 0x0A, 0x0D, 0x09].contains($0) } ? range : nil
            } : nil
            self.titleRange = firstLine
            self.title = firstLine.map { String(decoding: Array(body.utf8)[$0], as: UTF8.self) }
        }
    }

    /// The language code rules and lexicons are chosen by, from a tag as inputs write it: its
    /// primary subtag, lower-cased (`fr-FR`, `fr_CA`, `FR` → `fr`). Kept whole, `fr-FR` named a
    /// language no rule is written for, and a French feed was classified with no French rule.
    /// `nil` for an empty tag.
    public static func languageCode(of tag: String) -> String? {
        let primary = tag.trimmingCharacters(in: .whitespaces).split(whereSeparator: { $0 == "-" || $0 == "_" }).first
        return primary.map { $0.lowercased() }.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// This document with `language` declared, unless it declares one already: for inputs whose
    /// language the user knows (`crible classify --lang fr` on a stream of short comments, too
    /// short for their language to be identified).
    public func assuming(language: String?) -> Document {
        guard declaredLanguage == nil, let language, let code = Document.languageCode(of: language) else { return self }
        var document = self
        document.declaredLanguage = code
        return document
    }

    /// The field an offset of ``content`` falls in, and the offset relative to that field.
    public func field(containing offset: Int) -> (field: Field, offset: Int) {
        for field in fields where offset >= field.range.lowerBound && offset <= field.range.upperBound {
            return (field, offset - field.range.lowerBound)
        }
        let last = fields[fields.count - 1]
        return (last, max(0, offset - last.range.lowerBound))
    }

    static func firstLineRange(of text: String) -> Range<Int>? {
        let bytes = Array(text.utf8)
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != 0x0A { end += 1 }
            var trimmedEnd = end
            while trimmedEnd > start, [0x20, 0x0D, 0x09].contains(bytes[trimmedEnd - 1]) { trimmedEnd -= 1 }
            var trimmedStart = start
            // A Markdown heading's `#` marks are not part of the title.
            while trimmedStart < trimmedEnd, [0x20, 0x09, 0x23].contains(bytes[trimmedStart]) { trimmedStart += 1 }
            if trimmedStart < trimmedEnd { return trimmedStart..<trimmedEnd }
            start = end + 1
        }
        return nil
    }
}
