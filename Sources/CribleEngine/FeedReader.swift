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
        let parser = XMLParser(data: data)
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
            let line = parser.lineNumber
            items.append(.failure(InputFailure(id: "\(source):\(line)", message: "the feed is not well-formed XML (stopped at line \(line), column \(parser.columnNumber)\(parser.parserError.map { ": \($0.localizedDescription)" } ?? ", before the feed was closed"))",
                                               file: source, line: line, column: parser.columnNumber)))
        } else if delegate.items.isEmpty && !delegate.sawFeed {
            items.append(.failure(InputFailure(id: source, message: "not an RSS or Atom feed (no <rss>, <feed> or <channel>)", file: source)))
        }
        return items
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
            if character == "<", let close = html[index...].firstIndex(of: ">") {
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
        let named: [String: String] = ["amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{A0}",
                                       "rsquo": "\u{2019}", "lsquo": "\u{2018}", "laquo": "«", "raquo": "»", "hellip": "…",
                                       "eacute": "é", "egrave": "è", "agrave": "à", "ccedil": "ç", "ecirc": "ê", "mdash": "—", "ndash": "–"]
        if let value = named[entity] { return value }
        if entity.hasPrefix("#x") || entity.hasPrefix("#X"), let code = UInt32(entity.dropFirst(2), radix: 16), let scalar = Unicode.Scalar(code) {
            return String(scalar)
        }
        if entity.hasPrefix("#"), let code = UInt32(entity.dropFirst()), let scalar = Unicode.Scalar(code) { return String(scalar) }
        return nil
    }
}
