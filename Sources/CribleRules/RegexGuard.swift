/// A part of a slow pattern that every match of it holds, looked for before the pattern runs.
///
/// A pattern with nested unbounded repetition (`(?:\w+\s?)+[^\w\s]{12}`, lint warning W001)
/// spends its whole match limit on a text it does not match, since it tries every way of
/// splitting each run of words before it gives up. When it has no literal for the prefilter and
/// no run of digits, reading more of it still helps: each item of its top-level sequence holds a
/// piece of every match, and a run of those items that are a single character each (a class, an
/// escape, a literal, with their repetition) and assertions (`\b`, `^`) is a small pattern with
/// no nested repetition, which PCRE2 searches in one fast pass. If that *factor*
/// (`[^\w\s]{12}`) is not in the text, neither is a match of the whole, and the whole is
/// skipped. This is the literal prefilter's reasoning (YARA's atoms, Hyperscan's decomposition)
/// carried from literals to classes, for the patterns where a skip is worth a second search.
///
/// Nothing is read from a pattern the reading does not fully understand: an alternation at the
/// top, backreferences, recursion, conditionals, inline options, `\G`, `\K`, `\Q…\E` or verbs
/// give no factor, and the pattern runs as before.
enum RegexGuard {
    /// Fewest characters a factor must match to be worth a search: `[^\w\s]` or `\d\d` occur
    /// in nearly every text.
    static let minimumLength = 3

    /// The factor of `pattern` (as it is compiled), or `nil` when none is worth a search.
    static func factor(of pattern: String) -> String? {
        let bytes = Array(pattern.utf8)
        guard let items = Splitter(bytes).items(from: 0, to: bytes.count) else { return nil }
        // Runs of consecutive plain items; the one that matches the most characters wins (ties:
        // the later one, usually the pattern's tail, after the repetition that makes it slow).
        var best: (range: Range<Int>, length: Int)?
        var runStart: Int?
        func closeRun(at end: Int) {
            guard var start = runStart else { return }
            runStart = nil
            var end = end
            // Items that may match nothing add no selectivity at either end (dropping an item
            // from an end keeps a factor necessary; from the middle it would not).
            while start < end, items[start].minimumLength == 0 { start += 1 }
            while end > start, items[end - 1].minimumLength == 0 { end -= 1 }
            let length = items[start..<end].reduce(0) { $0 + $1.minimumLength }
            if length >= minimumLength, length >= (best?.length ?? 0) { best = (start..<end, length) }
        }
        for (index, item) in items.enumerated() {
            if item.isPlain {
                if runStart == nil { runStart = index }
            } else {
                closeRun(at: index)
            }
        }
        closeRun(at: items.count)
        guard let best else { return nil }
        let source = items[best.range].map { String(decoding: bytes[$0.source], as: UTF8.self) }.joined()
        return source
    }

    /// One item of a sequence: its source (with its quantifier), the fewest characters it
    /// matches, and whether it is plain (one character at a time, or an assertion).
    struct Item {
        var source: Range<Int>
        var minimumLength: Int
        var isPlain: Bool
    }

    /// Splits a pattern's top-level sequence into items, entering groups that are neither
    /// repeated nor alternations (their items are the sequence's too).
    struct Splitter {
        let bytes: [UInt8]
        init(_ bytes: [UInt8]) { self.bytes = bytes }

        /// The items of `bytes[start..<end]`, or `nil` when the reading gives up (see the type).
        func items(from start: Int, to end: Int) -> [Item]? {
            var items: [Item] = []
            var index = start
            while index < end {
                let atomStart = index
                var plain = true
                var width = 1  // characters the atom matches once (0 for assertions)
                var inner: Range<Int>?  // a group's content
                switch bytes[index] {
                case UInt8(ascii: "|"):
                    return nil
                case UInt8(ascii: "^"), UInt8(ascii: "$"):
                    width = 0
                    index += 1
                case UInt8(ascii: "."):
                    index += 1
                case UInt8(ascii: "["):
                    guard let after = RegexAtoms.classEnd(bytes, from: index, limit: end) else { return nil }
                    index = after
                case UInt8(ascii: "\\"):
                    guard let (after, isAssertion) = escapeEnd(from: index, limit: end) else { return nil }
                    if isAssertion { width = 0 }
                    index = after
                case UInt8(ascii: "("):
                    guard let (contentStart, close, entered) = group(from: index, limit: end) else { return nil }
                    plain = false
                    if entered { inner = contentStart..<close }
                    index = close + 1
                case UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "?"), UInt8(ascii: "{"):
                    return nil
                default:
                    // One whole UTF-8 character.
                    index += 1
                    while index < end, bytes[index] & 0xC0 == 0x80 { index += 1 }
                }
                let minimum: Int?
                let after: Int
                switch RegexAtoms.quantifier(bytes, at: index, limit: end) {
                case .none: (minimum, after) = (nil, index)
                case .malformed: return nil
                case .bounds(let least, _, let quantifierEnd): (minimum, after) = (least, quantifierEnd)
                }
                // A group with no alternation at its top is entered unless it may be skipped; a
                // quantified assertion, or any other group, is left whole (it is not plain).
                if let inner, minimum == nil || minimum! >= 1 {
                    guard let innerItems = self.items(from: inner.lowerBound, to: inner.upperBound) else { return nil }
                    // A repeated group's content is in every match too (it runs at least once),
                    // but not next to what comes before or after it: a barrier on each side.
                    let barrier = Item(source: atomStart..<atomStart, minimumLength: 0, isPlain: false)
                    items += minimum == nil ? innerItems : [barrier] + innerItems + [barrier]
                    index = after
                    continue
                }
                if width == 0, minimum != nil { plain = false }
                items.append(Item(source: atomStart..<after, minimumLength: plain ? width * (minimum ?? 1) : 0, isPlain: plain))
                index = after
            }
            return items
        }

        /// Where the escape at `index` ends, and whether it is an assertion (it matches no
        /// character); `nil` for the escapes a factor must not hold.
        func escapeEnd(from index: Int, limit: Int) -> (end: Int, isAssertion: Bool)? {
            guard index + 1 < limit else { return nil }
            let escaped = bytes[index + 1]
            var end = index + 2
            switch escaped {
            case UInt8(ascii: "b"), UInt8(ascii: "B"), UInt8(ascii: "A"), UInt8(ascii: "z"), UInt8(ascii: "Z"):
                return (end, true)
            case UInt8(ascii: "d"), UInt8(ascii: "D"), UInt8(ascii: "w"), UInt8(ascii: "W"), UInt8(ascii: "s"),
                 UInt8(ascii: "S"), UInt8(ascii: "h"), UInt8(ascii: "H"), UInt8(ascii: "v"), UInt8(ascii: "V"),
                 UInt8(ascii: "N"), UInt8(ascii: "t"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "f"),
                 UInt8(ascii: "e"), UInt8(ascii: "a"):
                return (end, false)
            case UInt8(ascii: "p"), UInt8(ascii: "P"), UInt8(ascii: "x"):
                if end < limit, bytes[end] == UInt8(ascii: "{") {
                    while end < limit, bytes[end] != UInt8(ascii: "}") { end += 1 }
                    guard end < limit else { return nil }
                    return (end + 1, false)
                }
                // `\pL`, or `\xhh`: one letter, or up to two hexadecimal digits.
                if escaped != UInt8(ascii: "x") { return end < limit ? (end + 1, false) : nil }
                var digits = 0
                while digits < 2, end < limit, bytes[end].isHexDigit { end += 1; digits += 1 }
                return (end, false)
            default:
                // Any other letter or digit has a meaning of its own (backreferences, `\G`, `\K`,
                // `\Q`, `\R`, `\X`, `\c`, `\o`, `\g`, `\k`…); punctuation escaped is itself.
                let isLetterOrDigit = (48...57).contains(escaped) || (65...90).contains(escaped) || (97...122).contains(escaped)
                guard !isLetterOrDigit, escaped < 0x80 else { return nil }
                return (end, false)
            }
        }

        /// A group opening at `index`: where its content starts, the index of its `)`, and
        /// whether its content may be entered (a plain, capturing, named or atomic group with no
        /// alternation at its top); `nil` for the groups a factor must not follow.
        func group(from index: Int, limit: Int) -> (contentStart: Int, close: Int, entered: Bool)? {
            var contentStart = index + 1
            var enterable = true
            if contentStart < limit, bytes[contentStart] == UInt8(ascii: "?") {
                guard contentStart + 1 < limit else { return nil }
                switch bytes[contentStart + 1] {
                case UInt8(ascii: ":"), UInt8(ascii: ">"):
                    contentStart += 2
                case UInt8(ascii: "="), UInt8(ascii: "!"):
                    contentStart += 2
                    enterable = false  // a lookahead: the matched text is not its content's
                case UInt8(ascii: "<"):
                    guard contentStart + 2 < limit else { return nil }
                    if bytes[contentStart + 2] == UInt8(ascii: "=") || bytes[contentStart + 2] == UInt8(ascii: "!") {
                        contentStart += 3
                        enterable = false
                    } else {
                        guard let close = name(endingWith: UInt8(ascii: ">"), from: contentStart + 2, limit: limit) else { return nil }
                        contentStart = close + 1
                    }
                case UInt8(ascii: "P"):
                    guard contentStart + 2 < limit, bytes[contentStart + 2] == UInt8(ascii: "<"),
                          let close = name(endingWith: UInt8(ascii: ">"), from: contentStart + 3, limit: limit) else { return nil }
                    contentStart = close + 1
                case UInt8(ascii: "'"):
                    guard let close = name(endingWith: UInt8(ascii: "'"), from: contentStart + 2, limit: limit) else { return nil }
                    contentStart = close + 1
                default:
                    return nil  // inline options, conditionals, recursion, comments, `(?|`
                }
            } else if contentStart < limit, bytes[contentStart] == UInt8(ascii: "*") {
                return nil  // a verb, `(*SKIP)`, `(*UTF)`
            }
            // The matching `)`, past classes and escapes; an alternation at the top of the group
            // keeps it from being entered.
            var depth = 0
            var position = contentStart
            while position < limit {
                switch bytes[position] {
                case UInt8(ascii: "\\"):
                    // `\Q…\E` may hide a parenthesis: not read.
                    guard position + 1 < limit, bytes[position + 1] != UInt8(ascii: "Q") else { return nil }
                    position += 2
                    continue
                case UInt8(ascii: "["):
                    guard let after = RegexAtoms.classEnd(bytes, from: position, limit: limit) else { return nil }
                    position = after
                    continue
                case UInt8(ascii: "("):
                    depth += 1
                case UInt8(ascii: ")"):
                    if depth == 0 { return (contentStart, position, enterable) }
                    depth -= 1
                case UInt8(ascii: "|"):
                    if depth == 0 { enterable = false }
                default:
                    break
                }
                position += 1
            }
            return nil
        }

        /// The index of the byte closing a group's name (letters, digits, `_`).
        func name(endingWith closing: UInt8, from start: Int, limit: Int) -> Int? {
            var position = start
            while position < limit, bytes[position] != closing {
                let byte = bytes[position]
                guard byte == UInt8(ascii: "_") || (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte) else {
                    return nil
                }
                position += 1
            }
            return position < limit && position > start ? position : nil
        }
    }
}

private extension UInt8 {
    var isHexDigit: Bool { (48...57).contains(self) || (65...70).contains(self) || (97...102).contains(self) }
}
