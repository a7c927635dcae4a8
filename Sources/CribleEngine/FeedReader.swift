import CribleCore
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Reads RSS 2.0 and Atom feeds: each item is a document, its link (or guid / id) the document id,
/// its title the title, and its content (or summary) the text, with markup removed.
///
/// A feed that is not well-formed XML is one failure naming the file and the line where the
/// parser stopped; items read before that point are kept.
public struct FeedReader: Sendable {
    public static let extensions: Set<String> = ["rss", "atom", "xml"]

    public init() {}

    public func read(_ data: Data, source: String) -> [InputItem] {
        let delegate = FeedParserDelegate()
        let readable = FeedReader.withNumericEntities(data)
        let parser = XMLParser(data: readable)
        parser.delegate = delegate
        parser.shouldProcessNamespaces = false
        let ok = parser.parse()
        var items: [InputItem] = delegate.items.enumerated().map { index, item in
            let id = item.link ?? item.guid ?? "\(source)#\(index + 1)"
            var document = Document(id: id, title: item.title.map(HTMLText.plain), body: HTMLText.plain(item.content ?? item.summary ?? ""),
                                    language: item.language ?? delegate.feedLanguage,
                                    metadata: item.published.map { ["published": $0] } ?? [:])
            document.origin = Document.Origin(file: source)
            return .document(document)
        }
        if !ok || parser.parserError != nil || (delegate.sawFeed && !delegate.closed) {
            var (line, column) = (parser.lineNumber, parser.columnNumber)
            let code = parser.parserError.map { ($0 as NSError).code }
            // The parser's place is where it had read to, often the end of a long line: a bare
            // `&`, the most common mistake in feeds (`AT&T` in a title), is found exactly.
            if let code, FeedReader.bareAmpersandCodes.contains(code), let place = FeedReader.firstBareAmpersand(in: readable) {
                (line, column) = place
            }
            let reason = code.map { ": \(FeedReader.reason(ofXMLError: $0))" } ?? ", before the feed was closed"
            items.append(.failure(InputFailure(id: "\(source):\(line)",
                                               message: "the feed is not well-formed XML (stopped at line \(line), column \(column)\(reason))",
                                               file: source, line: line, column: column)))
        } else if delegate.items.isEmpty && !delegate.sawFeed {
            items.append(.failure(InputFailure(id: source, message: "not an RSS or Atom feed (no <rss>, <feed> or <channel>)", file: source)))
        }
        return items
    }

    /// The feed with each HTML entity that XML does not define (`&eacute;`, `&nbsp;`, `&rsquo;`)
    /// written as the numeric reference an XML parser reads (`&#00233;`): feeds made by HTML tools
    /// use them outside CDATA sections, and the parser stopped at the first one, losing every
    /// item after it. The reference is padded with zeros to the entity's length when it would be
    /// shorter, so that columns in error messages still point into the file; lines never move.
    static func withNumericEntities(_ data: Data) -> Data {
        let ampersand = UInt8(ascii: "&")
        guard data.contains(ampersand) else { return data }
        let bytes = [UInt8](data)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            guard bytes[index] == ampersand else {
                output.append(bytes[index])
                index += 1
                continue
            }
            if let (name, numeric, end) = HTMLEntities.reference(in: bytes, at: index), !numeric,
               !HTMLEntities.definedByXML.contains(name), let character = HTMLEntities.character(named: name) {
                let digits = String(character.value)
                let padding = max(0, (end + 1 - index) - (digits.count + 3))
                output += Array("&#\(String(repeating: "0", count: padding))\(digits);".utf8)
                index = end + 1
                continue
            }
            output.append(ampersand)
            index += 1
        }
        return Data(output)
    }

    /// The parser's errors for an `&` that starts no entity it knows (see ``reason(ofXMLError:)``).
    static let bareAmpersandCodes: Set<Int> = [14, 22, 23, 26, 27]

    /// The line and column (from 1, in characters) of the first `&` outside CDATA sections and
    /// comments that starts no entity or character reference.
    static func firstBareAmpersand(in data: Data) -> (line: Int, column: Int)? {
        let bytes = [UInt8](data)
        var line = 1, lineStart = 0, index = 0
        func starts(with literal: String, at position: Int) -> Bool {
            let literal = Array(literal.utf8)
            return position + literal.count <= bytes.count && Array(bytes[position..<(position + literal.count)]) == literal
        }
        /// Moves past `terminator`, counting the lines crossed; `false` at the end of the data.
        func skip(to terminator: String) -> Bool {
            while index < bytes.count, !starts(with: terminator, at: index) {
                if bytes[index] == 0x0A { (line, lineStart) = (line + 1, index + 1) }
                index += 1
            }
            index += terminator.utf8.count
            return index <= bytes.count
        }
        while index < bytes.count {
            switch bytes[index] {
            case 0x0A:
                (line, lineStart) = (line + 1, index + 1)
                index += 1
            case UInt8(ascii: "<") where starts(with: "<![CDATA[", at: index):
                guard skip(to: "]]>") else { return nil }
            case UInt8(ascii: "<") where starts(with: "<!--", at: index):
                guard skip(to: "-->") else { return nil }
            case UInt8(ascii: "&"):
                guard let (name, numeric, end) = HTMLEntities.reference(in: bytes, at: index),
                      numeric || HTMLEntities.definedByXML.contains(name) else {
                    let column = 1 + bytes[lineStart..<index].reduce(0) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) }
                    return (line, column)
                }
                index = end + 1
            default:
                index += 1
            }
        }
        return nil
    }

    /// What an XML parser's error code means, in words: Foundation describes the error by its
    /// domain and number only. The numbers are libxml2's (`xmlParserErrors`), which Foundation's
    /// parser passes on (its own enumeration of them is numbered differently on Linux).
    static func reason(ofXMLError code: Int) -> String {
        switch code {
        case _ where bareAmpersandCodes.contains(code): return "an `&` that starts no entity XML knows (write `&amp;` for the character itself)"
        case 4: return "the file holds no XML element"
        case 5: return "the XML ends before the feed is closed, or text follows it"
        case 9: return "a character that XML does not allow"
        case 38, 39, 40, 41: return "a malformed attribute"
        case 64: return "an XML declaration that is not at the very start of the file"
        case 68: return "a `<` that starts no tag (write `&lt;` for the character itself)"
        case 73: return "a tag that is not finished (an attribute value without quotes?)"
        case 76: return "an end tag that does not match the element it closes"
        case 77: return "an element that is never closed"
        default: return "XML parser error \(code)"
        }
    }
}

private final class FeedParserDelegate: NSObject, XMLParserDelegate {
    struct Item {
        var title: String?
        var link: String?
        var guid: String?
        var summary: String?
        var content: String?
        var published: String?
        /// The entry's own language (Atom `xml:lang`, `dc:language`), before the feed's.
        var language: String?
    }

    var items: [Item] = []
    var sawFeed = false
    /// The feed's language: RSS `<language>` (or `dc:language`) of the channel, Atom `xml:lang`
    /// of the feed. A feed's items are short (a title and a summary) and often identified too
    /// weakly to run a language's rules; the feed says what they are.
    var feedLanguage: String?
    /// Whether the root element was closed: some XML parsers accept a truncated file.
    var closed = false
    private var current: Item?
    private var text = ""

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        switch name {
        case "rss", "feed", "channel", "rdf:RDF":
            sawFeed = true
            if let language = attributes["xml:lang"], feedLanguage == nil { feedLanguage = language }
        case "item", "entry": current = Item(language: attributes["xml:lang"])
        case "link":
            // Atom: <link href="…" rel="alternate"/>; RSS: <link>…</link>.
            if var item = current, let href = attributes["href"], attributes["rel"] == nil || attributes["rel"] == "alternate" {
                if item.link == nil { item.link = href }
                current = item
            }
        default: break
        }
        text = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(_ parser: XMLParser, foundCDATA block: Data) { text += String(decoding: block, as: UTF8.self) }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
        defer { text = "" }
        if ["rss", "feed", "rdf:RDF"].contains(name) { closed = true }
        guard var item = current else {
            if name == "language" || name == "dc:language", !value.isEmpty, feedLanguage == nil { feedLanguage = value }
            return
        }
        switch name {
        case "item", "entry":
            items.append(item)
            current = nil
            return
        case "title": item.title = value
        case "link": if !value.isEmpty, item.link == nil { item.link = value }
        case "guid", "id": item.guid = value
        case "description", "summary": item.summary = value
        case "content:encoded", "content": item.content = value
        case "pubDate", "published", "updated", "dc:date": if item.published == nil { item.published = value }
        case "dc:language": if !value.isEmpty { item.language = value }
        default: break
        }
        current = item
    }
}

/// Text out of the small HTML fragments feeds carry: tags removed (block tags become line breaks),
/// the common entities decoded.
enum HTMLText {
    static func plain(_ html: String) -> String {
        guard html.contains("<") || html.contains("&") else { return html }
        var output = ""
        var index = html.startIndex
        while index < html.endIndex {
            let character = html[index]
            // Tags end and open as in a page (``HTMLReader/tagEnd(in:from:)``): not at a `>`
            // inside a quoted value, and a `<` before a space is text.
            let next = html.utf8.index(after: index)
            if character == "<", next < html.utf8.endIndex, HTMLReader.opensTag(html.utf8[next]),
               let close = HTMLReader.tagEnd(in: html.utf8, from: next) {
                let tag = html[html.index(after: index)..<close].lowercased()
                let name = tag.split(whereSeparator: { $0 == " " || $0 == "/" }).first.map(String.init) ?? ""
                if ["p", "br", "div", "li", "h1", "h2", "h3", "h4", "tr", "blockquote"].contains(name) { output += "\n" }
                if name == "script" || name == "style", let end = html.range(of: "</\(name)>", options: .caseInsensitive, range: close..<html.endIndex) {
                    index = end.upperBound
                    continue
                }
                index = html.index(after: close)
                continue
            }
            if character == "&", let semicolon = html[index...].prefix(10).firstIndex(of: ";") {
                let entity = String(html[html.index(after: index)..<semicolon])
                if let decoded = decode(entity) {
                    output += decoded
                    index = html.index(after: semicolon)
                    continue
                }
            }
            output.append(character)
            index = html.index(after: index)
        }
        return output.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .joined(separator: "\n")
            .replacingOccurrences(of: "\n\n\n", with: "\n\n")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func decode(_ entity: String) -> String? {
        if let character = HTMLEntities.character(named: entity) { return String(character) }
        if entity.hasPrefix("#x") || entity.hasPrefix("#X"), let code = UInt32(entity.dropFirst(2), radix: 16), let scalar = Unicode.Scalar(code) {
            return String(scalar)
        }
        if entity.hasPrefix("#"), let code = UInt32(entity.dropFirst()), let scalar = Unicode.Scalar(code) { return String(scalar) }
        return nil
    }
}
