/// Inline suppressions written in the content itself, for text a team has reviewed and accepted:
///
/// ```
/// <!-- crible-disable moderation/pii -->  …  <!-- crible-enable -->
/// <!-- crible-disable-next-line moderation.pii.email, spam.* -->
/// ```
///
/// A target is a rule id, a label, or a prefix ending in `*`; no target means everything. Evidence
/// whose hit starts inside a suppressed region is dropped for the matching targets. Suppressions
/// that suppress nothing are reported, so stale ones do not pile up.
public struct Suppression: Sendable, Hashable {
    /// The directive as written, and where.
    public var directive: Range<Int>
    /// Byte range of the content it covers.
    public var region: Range<Int>
    /// `nil` for every rule and label.
    public var targets: [String]?

    public func covers(ruleID: String, label: String?) -> Bool {
        guard let targets else { return true }
        return targets.contains { target in
            let matches = { (name: String) in target.hasSuffix("*") ? name.hasPrefix(target.dropLast()) : name == target }
            return matches(ruleID) || (label.map(matches) ?? false)
        }
    }

    /// Every directive in the text. An unclosed `crible-disable` runs to the end of the text.
    public static func parse(_ bytes: [UInt8]) -> [Suppression] {
        guard containsDirective(bytes) else { return [] }
        let text = String(decoding: bytes, as: UTF8.self)
        var result: [Suppression] = []
        var open: [(directive: Range<Int>, start: Int, targets: [String]?)] = []
        var searchStart = text.startIndex
        while let opening = text.range(of: "<!--", range: searchStart..<text.endIndex),
              let closing = text.range(of: "-->", range: opening.upperBound..<text.endIndex) {
            let body = text[opening.upperBound..<closing.lowerBound].trimmingCharacters(in: .whitespaces)
            let words = body.split(separator: " ", maxSplits: 1).map(String.init)
            let directive = text.utf8.distance(from: text.startIndex, to: opening.lowerBound)..<text.utf8.distance(from: text.startIndex, to: closing.upperBound)
            let targets: [String]? = words.count > 1
                ? words[1].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } : nil
            switch words.first {
            case "crible-disable":
                open.append((directive, directive.upperBound, targets))
            case "crible-enable":
                if let last = open.popLast() {
                    result.append(Suppression(directive: last.directive, region: last.start..<directive.lowerBound, targets: last.targets))
                }
            case "crible-disable-next-line":
                let afterDirective = text[closing.upperBound...]
                let lineStart = afterDirective.firstIndex(of: "\n").map { text.index(after: $0) } ?? text.endIndex
                let lineEnd = text[lineStart...].firstIndex(of: "\n") ?? text.endIndex
                let start = text.utf8.distance(from: text.startIndex, to: lineStart)
                let end = text.utf8.distance(from: text.startIndex, to: lineEnd)
                result.append(Suppression(directive: directive, region: start..<end, targets: targets))
            default:
                break
            }
            searchStart = closing.upperBound
        }
        for last in open {
            result.append(Suppression(directive: last.directive, region: last.start..<bytes.count, targets: last.targets))
        }
        return result.sorted { $0.directive.lowerBound < $1.directive.lowerBound }
    }

    private static let marker = Array("crible-disable".utf8)

    /// A byte scan for the directive keyword: almost no document has one, and this check runs on
    /// every document, so it must not build a `String` or go through Foundation.
    ///
    /// It looks for the marker's hyphen, sixteen bytes at a time, and compares the marker around
    /// each: hyphens are rarer in prose than the marker's first letter.
    static func containsDirective(_ bytes: [UInt8]) -> Bool {
        let marker = Suppression.marker
        let hyphen = UInt8(ascii: "-")
        let hyphenOffset = marker.firstIndex(of: hyphen)!
        return bytes.withUnsafeBufferPointer { buffer in
            var index = hyphenOffset
            while true {
                index = buffer.firstIndex(ofAnyOf: (hyphen, hyphen, hyphen), from: index)
                guard index < buffer.count else { return false }
                if bytes.hasBytes(marker, at: index - hyphenOffset) { return true }
                index += 1
            }
        }
    }
}
