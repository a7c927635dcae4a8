import CribleCore
import Foundation

/// The text of an HTML page, with a map from every byte of that text back to the page, so that a
/// span found in the text is reported at its place in the `.html` file (line, column, offset).
///
/// Tags are dropped (block tags become line breaks), `<script>`, `<style>` and the rest of `<head>`
/// are skipped except `<title>`, and entities are decoded. Crude next to a browser, which is the
/// point: no dependency, and exact offsets.
public struct HTMLReader: Sendable {
    public static let extensions: Set<String> = ["html", "htm", "xhtml"]

    static let blockTags: Set<String> = ["p", "br", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td",
                                         "th", "table", "blockquote", "section", "article", "header", "footer", "title",
                                         "pre", "hr", "figcaption", "dd", "dt"]

    public init() {}

    /// The extracted text and, for each of its bytes, the range of the page it came from.
    public func extract(_ page: [UInt8]) -> (text: [UInt8], sources: [Range<Int>]) {
        var text: [UInt8] = []
        var sources: [Range<Int>] = []
        text.reserveCapacity(page.count / 2)
        sources.reserveCapacity(page.count / 2)
        var index = 0
        var skipping: String?       // inside <script>, <style> or <head> (but not <title>)
        var inHead = false
        func emit(_ bytes: [UInt8], from range: Range<Int>) {
            for byte in bytes {
                text.append(byte)
                sources.append(range)
            }
        }
        while index < page.count {
            let byte = page[index]
            // A `<` that opens no tag (`si a < b`) is text, as a browser reads it.
            if byte == UInt8(ascii: "<"), index + 1 < page.count, HTMLReader.opensTag(page[index + 1]) {
                // Comments and declarations.
                if page[index...].starts(with: Array("<!--".utf8)) {
                    let end = find(Array("-->".utf8), in: page, from: index + 4) ?? page.count
                    index = min(page.count, end + 3)
                    continue
                }
                guard let close = HTMLReader.tagEnd(in: page, from: index + 1) else { break }
                let inside = String(decoding: page[(index + 1)..<close], as: UTF8.self).lowercased()
                let closing = inside.hasPrefix("/")
                let name = String(inside.drop(while: { $0 == "/" }).prefix { $0.isLetter || $0.isNumber })
                if let open = skipping {
                    if closing && name == open { skipping = nil }
                } else if !closing && (name == "script" || name == "style") {
                    skipping = name
                } else if name == "head" {
                    inHead = !closing
                } else if Self.blockTags.contains(name), !inHead || name == "title" {
                    emit([0x0A], from: index..<(close + 1))
                }
                index = close + 1
                continue
            }
            let visible = skipping == nil && (!inHead || titleOpen(page, before: index))
            if byte == UInt8(ascii: "&"), let semicolon = page[index...].prefix(12).firstIndex(of: UInt8(ascii: ";")) {
                let entity = String(decoding: page[(index + 1)..<semicolon], as: UTF8.self)
                if let decoded = HTMLText.decode(entity) {
                    if visible { emit(Array(decoded.utf8), from: index..<(semicolon + 1)) }
                    index = semicolon + 1
                    continue
                }
            }
            // One whole UTF-8 character.
            var end = index + 1
            while end < page.count, page[end] & 0xC0 == 0x80 { end += 1 }
            if visible { emit(Array(page[index..<end]), from: index..<end) }
            index = end
        }
        return (text, sources)
    }

    /// Whether the byte after a `<` makes it a tag, a closing tag, a comment or a declaration.
    static func opensTag(_ next: UInt8) -> Bool {
        next == UInt8(ascii: "/") || next == UInt8(ascii: "!") || next == UInt8(ascii: "?") || (next | 0x20) &- 97 < 26
    }

    /// The `>` that ends the tag whose name starts at `start`, outside its quoted attribute values
    /// (`<p data-x="a > b">`). A quote opens a value only right after `=` (an unquoted value may
    /// hold an apostrophe); one never closed leaves the first `>`.
    static func tagEnd<Page: Collection>(in page: Page, from start: Page.Index) -> Page.Index? where Page.Element == UInt8 {
        var index = start
        var afterEquals = false
        while index < page.endIndex {
            let byte = page[index]
            switch byte {
            case UInt8(ascii: ">"):
                return index
            case UInt8(ascii: "\""), UInt8(ascii: "'") where afterEquals:
                guard let closing = page[page.index(after: index)...].firstIndex(of: byte) else {
                    return page[start...].firstIndex(of: UInt8(ascii: ">"))
                }
                index = page.index(after: closing)
                afterEquals = false
            default:
                if byte == UInt8(ascii: "=") {
                    afterEquals = true
                } else if byte != 0x20, byte != 0x09, byte != 0x0A, byte != 0x0D {
                    afterEquals = false
                }
                index = page.index(after: index)
            }
        }
        return nil
    }

    /// Whether the nearest tag before `position` opens a `<title>`.
    private func titleOpen(_ page: [UInt8], before position: Int) -> Bool {
        guard let open = page[..<position].lastIndex(of: UInt8(ascii: "<")) else { return false }
        return String(decoding: page[open..<min(open + 6, position)], as: UTF8.self).lowercased() == "<title"
    }

    private func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        var index = start
        while index + needle.count <= haystack.count {
            if haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }

    public func read(_ data: Data, path: String) -> InputItem {
        let page = [UInt8](data)
        guard String(validating: page, as: UTF8.self) != nil else {
            return .failure(InputFailure.notUTF8(page, id: path, file: path, what: "the file"))
        }
        let (text, sources) = extract(page)
        var document = Document(id: path, body: String(decoding: text, as: UTF8.self), language: language(of: page),
                                titleIsFirstLine: true)
        document.origin = Document.Origin(file: path)
        document.origin?.sourceMap = Document.SourceMap(page: page, ranges: sources)
        return .document(document)
    }

    /// The page's declared language: the `lang` attribute of its `<html>` tag (`xml:lang` in
    /// XHTML), as a publisher writes it (`fr`, `fr-FR`).
    func language(of page: [UInt8]) -> String? {
        let lowered = page.prefix(16_384).map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
        var searchFrom = 0
        // The first `<html` followed by a space or `>` (not `<htmlfoo`).
        while let start = find(Array("<html".utf8), in: lowered, from: searchFrom) {
            let after = start + 5
            guard after < lowered.count else { return nil }
            guard lowered[after] == 0x20 || lowered[after] == 0x09 || lowered[after] == 0x0A || lowered[after] == 0x0D else {
                searchFrom = after
                continue
            }
            guard let close = lowered[after...].firstIndex(of: UInt8(ascii: ">")) else { return nil }
            let tag = String(decoding: lowered[after..<close], as: UTF8.self)
            let original = String(decoding: page[after..<close], as: UTF8.self)
            for attribute in [" lang=", "\tlang=", "\nlang=", ":lang="] {
                guard let range = tag.range(of: attribute) else { continue }
                let valueStart = original.index(original.startIndex, offsetBy: tag.distance(from: tag.startIndex, to: range.upperBound))
                var value = original[valueStart...]
                let quote = value.first
                if quote == "\"" || quote == "'" {
                    value = value.dropFirst()
                    value = value.prefix { $0 != quote }
                } else {
                    value = value.prefix { !$0.isWhitespace && $0 != "/" }
                }
                if !value.isEmpty { return String(value) }
            }
            return nil
        }
        return nil
    }
}
