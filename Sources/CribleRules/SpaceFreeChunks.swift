import CribleCore

/// Patterns whose matches cannot hold a space, tried only in the chunks of text that hold one of
/// their literals.
///
/// An e-mail pattern opens on a class of characters (`\b[a-z0-9][a-z0-9._%+-]*@…`), so PCRE2
/// tries it at every word of a text and runs along each before failing on the missing `@`: some
/// twenty microseconds per news article that holds an `@` at all. But none of its parts can match
/// a space, a tab or a line break, and each match holds an `@`: every match lies inside one
/// whitespace-delimited chunk that holds an `@`. Tried, anchored, only at the positions of those
/// chunks (a news article has one or two), it finds the same matches: each try still sees the
/// whole text, so `\b` and lookarounds read the bytes around the chunk as a scan would.
///
/// What proves it is ``neverMatchesASCIISpace(_:)``, a reading of the pattern that accepts only
/// what it can vouch for (an unknown construct, or one that may match a space, refuses the
/// pattern); the literal comes from the prefilter's requirements (``RegexAtoms``), every match
/// holding one of a requirement's literals.
enum SpaceFreeChunks {
    /// The most literals a requirement may have to be searched for here: each is a scan of the
    /// text of its own.
    static let maximumLiterals = 4

    /// ASCII space, tab, line feed, vertical tab, form feed and carriage return: what delimits the
    /// chunks, and what a pattern must never match.
    @inline(__always)
    static func isASCIISpace(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0D).contains(byte) }

    /// Whether no part of `pattern` (lookarounds included) can match one of the bytes of
    /// ``isASCIISpace(_:)``, in PCRE2's syntax without the extended option. Conservative: `.`,
    /// `\s`, `\W`, `\D`, `\H`, `\V`, `\N`, `\R`, `\X`, `\p`, `\P`, character codes (`\x20`, `\t`,
    /// octal), negated classes without `\s`, POSIX classes, ranges that reach a space, inline
    /// options, verbs, comments, conditionals and `\Q…\E` all refuse the pattern.
    static func neverMatchesASCIISpace(_ pattern: String) -> Bool {
        let bytes = Array(pattern.utf8)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\\"):
                guard index + 1 < bytes.count, escapeOutsideClassIsSafe(bytes[index + 1]) else { return false }
                index += 2
            case UInt8(ascii: "."):
                return false
            case UInt8(ascii: "["):
                guard let end = safeClassEnd(bytes, from: index) else { return false }
                index = end
            case UInt8(ascii: "("):
                guard let end = safeGroupOpeningEnd(bytes, from: index) else { return false }
                index = end
            default:
                if isASCIISpace(byte) { return false }
                index += 1
            }
        }
        return true
    }

    /// Escapes that match no space outside a class: assertions (`\b`, `\B`, `\A`, `\z`, `\Z`,
    /// `\G`, `\K`), `\d`, `\w`, `\S`, and an escaped punctuation mark (itself).
    private static func escapeOutsideClassIsSafe(_ escaped: UInt8) -> Bool {
        switch escaped {
        case UInt8(ascii: "b"), UInt8(ascii: "B"), UInt8(ascii: "A"), UInt8(ascii: "z"), UInt8(ascii: "Z"),
             UInt8(ascii: "G"), UInt8(ascii: "K"), UInt8(ascii: "d"), UInt8(ascii: "w"), UInt8(ascii: "S"):
            return true
        default:
            return isEscapedPunctuation(escaped)
        }
    }

    /// A non-alphanumeric ASCII character other than a space stands for itself after `\`.
    private static func isEscapedPunctuation(_ escaped: UInt8) -> Bool {
        escaped < 0x80 && escaped > 0x20 && escaped != 0x7F && !LeadingWords.isAlphanumeric(escaped)
    }

    /// Past the `]` of the class opening at `start`, when the class matches no space: a negated
    /// class must list `\s`; another must list only members that are no space (characters,
    /// ranges that reach no space, `\d`, `\w`, `\S`, escaped punctuation).
    private static func safeClassEnd(_ bytes: [UInt8], from start: Int) -> Int? {
        var index = start + 1
        let negated = index < bytes.count && bytes[index] == UInt8(ascii: "^")
        if negated { index += 1 }
        var listsSpace = false
        var first = true
        // The value of the last single member, for a range that follows it.
        var previous: UInt8?
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "]"), !first { return negated && !listsSpace ? nil : index + 1 }
            first = false
            if byte == UInt8(ascii: "[") { return nil }  // POSIX classes (`[:space:]`) and the like
            if byte == UInt8(ascii: "\\") {
                guard index + 1 < bytes.count else { return nil }
                let escaped = bytes[index + 1]
                index += 2
                if escaped == UInt8(ascii: "s") {
                    guard negated else { return nil }
                    listsSpace = true
                    previous = nil
                    continue
                }
                if negated { continue }  // what else a negated class lists only narrows it further
                switch escaped {
                case UInt8(ascii: "d"), UInt8(ascii: "w"), UInt8(ascii: "S"): previous = nil
                default:
                    guard isEscapedPunctuation(escaped) else { return nil }
                    previous = escaped
                }
                continue
            }
            if byte == UInt8(ascii: "-"), let low = previous, index + 1 < bytes.count, bytes[index + 1] != UInt8(ascii: "]") {
                // A range: its upper end, a character or an escaped punctuation mark.
                var high = bytes[index + 1]
                var width = 2
                if high == UInt8(ascii: "\\") {
                    guard index + 2 < bytes.count, isEscapedPunctuation(bytes[index + 2]) else { return nil }
                    high = bytes[index + 2]
                    width = 3
                }
                if !negated, low <= 0x20, high >= 0x09 { return nil }
                index += width
                previous = nil
                continue
            }
            if !negated, isASCIISpace(byte) { return nil }
            previous = byte
            index += 1
        }
        return nil
    }

    /// Past the opening of the group at `start` (`(`, `(?:`, `(?>`, `(?|`, a lookaround or a
    /// named group), or `nil` for what may change how the rest reads (inline options, comments,
    /// conditionals, recursion, verbs).
    private static func safeGroupOpeningEnd(_ bytes: [UInt8], from start: Int) -> Int? {
        let next = start + 1
        guard next < bytes.count else { return nil }
        if bytes[next] == UInt8(ascii: "*") { return nil }
        guard bytes[next] == UInt8(ascii: "?") else { return next }
        guard next + 1 < bytes.count else { return nil }
        switch bytes[next + 1] {
        case UInt8(ascii: ":"), UInt8(ascii: ">"), UInt8(ascii: "|"), UInt8(ascii: "="), UInt8(ascii: "!"):
            return next + 2
        case UInt8(ascii: "<"):
            guard next + 2 < bytes.count else { return nil }
            let after = bytes[next + 2]
            if after == UInt8(ascii: "=") || after == UInt8(ascii: "!") { return next + 3 }
            return LeadingWords.isAlphanumeric(after) ? next + 2 : nil  // `(?<name>`
        case UInt8(ascii: "P"):
            return next + 2 < bytes.count && bytes[next + 2] == UInt8(ascii: "<") ? next + 3 : nil
        case UInt8(ascii: "'"):
            return next + 2
        default:
            return nil
        }
    }

    /// Every position where a character starts, inside the whitespace-delimited chunks of `text`
    /// that hold one of `literals`, in increasing order.
    static func positions(in text: UnsafeBufferPointer<UInt8>, holdingOneOf literals: [[UInt8]]) -> [Int] {
        var chunks: [Range<Int>] = []
        for literal in literals {
            guard let first = literal.first else { continue }
            let firstByte = ByteVector(repeating: first)
            var index = 0
            while true {
                index = text.firstIndex(from: index) { text.zeroPaddedVector(at: $0) .== firstByte }
                guard index < text.count else { break }
                guard index + literal.count <= text.count,
                      UnsafeBufferPointer(rebasing: text[index..<(index + literal.count)]).elementsEqual(literal) else {
                    index += 1
                    continue
                }
                var start = index
                while start > 0, !isASCIISpace(text[start - 1]) { start -= 1 }
                var end = index + literal.count
                while end < text.count, !isASCIISpace(text[end]) { end += 1 }
                chunks.append(start..<end)
                index = end
            }
        }
        if literals.count > 1 { chunks.sort { $0.lowerBound < $1.lowerBound } }
        var positions: [Int] = []
        var covered = 0
        for chunk in chunks where chunk.upperBound > covered {
            // Two chunks are disjoint or the same (found from two literals): each position once.
            for position in Swift.max(chunk.lowerBound, covered)..<chunk.upperBound where text[position] & 0xC0 != 0x80 {
                positions.append(position)
            }
            covered = Swift.max(covered, chunk.upperBound)
        }
        return positions
    }
}
