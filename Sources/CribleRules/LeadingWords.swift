import CribleCore

/// The words that every match of a pattern starts with, at the start of a word: for
/// `\b(?:ce|cet|cette|ces)\s+(?:connards?|…)` they are `ce`, `cet`, `cette` and `ces`.
///
/// PCRE2 tries such a pattern at every position whose byte may start it (every `c`, or for a list
/// of determiners, every `e`, `p`, `t`…), a third of the positions of French text, and each try
/// runs the pattern's alternation before it fails. Knowing the leading words, the engine lists
/// the word starts where one of them begins (a few per article) and has the pattern tried there
/// alone (``PCRE2/Regex/matches(in:startingAt:scratch:validUTF8:limit:unicodeNeutral:)``).
///
/// A position is a *word start* when its byte is an ASCII letter or digit and the byte before it
/// (if any) is not an ASCII letter, digit or `_`. Every position where `\b` holds before an ASCII
/// letter or digit is one, with or without Unicode properties: without them, bytes beyond ASCII
/// are not word characters, so the byte before decides exactly; with them, a letter beyond ASCII
/// before the position makes `\b` false, and the list merely keeps a position PCRE2 refuses. So
/// the candidates include every place a match can start, and the matches are the same. A
/// lookbehind that refuses a word character before (`(?<![\w.])`) says as much as `\b` there.
/// A pattern that opens on `\d` (`\b\d{1,4},?\s+rue`) has every digit as a word of one byte,
/// on texts where `\d` means nothing else (see ``needsNeutralText``).
///
/// A class: a document that tries a pattern takes its words out of the rule set's list, and a
/// struct's three arrays were each retained and released there.
final class LeadingWords: Sendable {
    /// The words' distinct first bytes (all ASCII letters or digits).
    private let leads: [UInt8]
    /// Per first byte, `entries[start[byte] ..< start[byte + 1]]`.
    private let start: [Int32]
    /// A word's first eight bytes (little-endian, masked) and its whole length.
    private let entries: [(prefix: UInt64, mask: UInt64, length: Int)]

    /// Longest list of words kept: beyond it, the alternation is no longer a short list of words.
    static let maximumWords = 200

    /// Whether the tries are exact only on texts where ``PCRE2/Regex/isUnicodeNeutral(_:)``
    /// holds: the pattern uses `\d`, which with Unicode properties also matches digits of other
    /// scripts, that no word start lists (`\b\d{5}` may match `٣٤٥٦٧`). Elsewhere the pattern
    /// scans the whole text. Any `\d` in the pattern counts, which is only more cautious.
    let needsNeutralText: Bool

    /// The leading words of `pattern` (as it is compiled, folded), or `nil` when every match does
    /// not provably start with one of a list of ASCII words right after a `\b`: an alternation
    /// whose branches each open, after `\b` and perhaps lookarounds, on a literal starting with a
    /// letter or a digit. Patterns with `\G` or `\K` (whose meaning depends on where a try
    /// starts, or that move the start of a match) never qualify.
    convenience init?(pattern: String) {
        guard let node = RegexAtoms.parse(pattern) else { return nil }
        self.init(node: node, pattern: pattern)
    }

    /// The leading words of an already parsed `pattern`.
    init?(node: RegexAtoms.Node, pattern: String) {
        let bytes = Array(pattern.utf8)
        guard !LeadingWords.containsEscape(UInt8(ascii: "G"), in: bytes),
              !LeadingWords.containsEscape(UInt8(ascii: "K"), in: bytes),
              let words = LeadingWords.wordsAfterBoundary(node), !words.isEmpty, words.count <= LeadingWords.maximumWords,
              words.allSatisfy({ word in !word.isEmpty && word.allSatisfy { $0 < 0x80 } && LeadingWords.isAlphanumeric(word[0]) })
        else { return nil }
        // One sorted list, by first byte, then length and bytes; a word listed twice (`images?`
        // and `image` give `image` twice) is kept once.
        var all: [(lead: UInt8, length: Int, prefix: UInt64, mask: UInt64)] = words.map { word in
            let key = littleEndianKey(word)
            return (word[0], word.count, key.word, key.mask)
        }
        all.sort { ($0.lead, $0.length, $0.prefix) < ($1.lead, $1.length, $1.prefix) }
        var entries: [(prefix: UInt64, mask: UInt64, length: Int)] = []
        var start = [Int32](repeating: 0, count: 129)
        var leads: [UInt8] = []
        var previous: (lead: UInt8, length: Int, prefix: UInt64)?
        for entry in all {
            if let previous, previous == (entry.lead, entry.length, entry.prefix) { continue }
            if previous?.lead != entry.lead { leads.append(entry.lead) }
            previous = (entry.lead, entry.length, entry.prefix)
            entries.append((entry.prefix, entry.mask, entry.length))
            start[Int(entry.lead) + 1] += 1
        }
        for index in 1..<start.count { start[index] += start[index - 1] }
        self.leads = leads
        self.start = start
        self.entries = entries
        needsNeutralText = LeadingWords.containsEscape(UInt8(ascii: "d"), in: bytes)
    }

    /// The word starts of `text` where one of the words begins, in order.
    func candidates(in text: UnsafeBufferPointer<UInt8>, wordStarts: WordStarts) -> [Int] {
        var found: [Int] = []
        candidates(in: text, wordStarts: wordStarts, into: &found)
        return found
    }

    /// The same starts, in `found`, emptied first: the engine passes one array for every pattern
    /// of a document, where a new one for each grew through two or three allocations, a dozen
    /// times an article.
    func candidates(in text: UnsafeBufferPointer<UInt8>, wordStarts: WordStarts, into found: inout [Int]) {
        found.removeAll(keepingCapacity: true)
        let count = text.count
        // Through pointers, and each first byte's group read in place: with a bounds test per
        // read and a slice (retained and released) per group, each start cost seventy
        // instructions for fewer than two comparisons.
        entries.withUnsafeBufferPointer { entries in
        start.withUnsafeBufferPointer { start in
        wordStarts.withGroups { positions, groupStart in
            for lead in leads {
                let firstEntry = Int(start[Int(lead)]), endEntry = Int(start[Int(lead) + 1])
                // Only the starts with this first byte: a tenth of a text's words, or less.
                for slot in Int(groupStart[Int(lead)])..<Int(groupStart[Int(lead) + 1]) {
                    let position = Int(positions[slot])
                    let word = text.word(at: position)
                    for index in firstEntry..<endEntry {
                        let entry = entries[index]
                        if position + entry.length <= count, word & entry.mask == entry.prefix {
                            found.append(position)
                            break
                        }
                    }
                }
            }
        }}}
        // Each first byte's starts are in order; together they are sorted once (a few per text).
        if leads.count > 1 { found.sort() }
    }

    /// The word starts of `text` (see the type's description), sixteen bytes at a time.
    static func wordStarts(in text: UnsafeBufferPointer<UInt8>) -> [Int32] {
        guard let base = text.baseAddress else { return [] }
        // A start follows a byte that is not a word byte, so there is at most one per two bytes:
        // written through a pointer into room for that many, without a check per start.
        return [Int32](unsafeUninitializedCapacity: text.count / 2 + 2) { starts, found in
            found = wordStarts(base: base, count: text.count, into: starts.baseAddress!)
        }
    }

    /// The same word starts, read from the text's tokens (``Tokenizer``, on the same bytes) instead
    /// of its bytes: every ASCII letter and digit is in a token, so a start is a token's first
    /// byte unless `_` comes before it, or, in a token that holds characters beyond ASCII, a
    /// letter or digit right after one. News has five or six bytes a token and few such
    /// characters once folded, and each token says whether it is ASCII (``Token/isASCII``), where
    /// the scan of the bytes spent four instructions on each.
    static func wordStarts(in text: UnsafeBufferPointer<UInt8>, tokens: UnsafeBufferPointer<Token>) -> [Int32] {
        [Int32](unsafeUninitializedCapacity: text.count / 2 + 2) { starts, found in
            var count = 0
            for token in tokens {
                let start = Int(token.start), end = Int(token.end)
                if token.isASCII {
                    if start == 0 || text[start &- 1] != UInt8(ascii: "_") {
                        starts[count] = Int32(truncatingIfNeeded: start)
                        count &+= 1
                    }
                    continue
                }
                var previousIsWord = start > 0 && isWordByte(text[start &- 1])
                for position in start..<end {
                    let byte = text[position]
                    if isAlphanumeric(byte), !previousIsWord {
                        starts[count] = Int32(truncatingIfNeeded: position)
                        count &+= 1
                    }
                    previousIsWord = isWordByte(byte)
                }
            }
            found = count
        }
    }

    private static func wordStarts(base: UnsafePointer<UInt8>, count: Int, into starts: UnsafeMutablePointer<Int32>) -> Int {
        var found = 0
        let raw = UnsafeRawPointer(base)
        let underscore = ByteVector(repeating: UInt8(ascii: "_"))
        @inline(__always) func record(_ marks: UInt64, from offset: Int) {
            var marks = marks
            while marks != 0 {
                starts[found] = Int32(truncatingIfNeeded: offset &+ marks.trailingZeroBitCount &>> 3)
                found &+= 1
                marks &= marks &- 1
            }
        }
        var offset = 0
        var previousIsWord: UInt64 = 0  // bit 63 set when the byte before `offset` is a word byte
        while offset + 16 <= count {
            let vector = raw.loadByteVector(fromByteOffset: offset)
            let alphanumeric = vector.asciiLetterLanes .| vector.lanes(in: 0x30...0x39)
            let letters = alphanumeric.laneBits
            let words = (alphanumeric .| (vector .== underscore)).laneBits
            // A start: a letter or digit whose previous byte (one lane down, across the halves
            // and from the vector before) is not a word byte.
            record(letters.low & ~((words.low << 8) | (previousIsWord >> 56)), from: offset)
            record(letters.high & ~((words.high << 8) | (words.low >> 56)), from: offset &+ 8)
            previousIsWord = words.high & 0x8000_0000_0000_0000
            offset += 16
        }
        var previous = offset > 0 ? (previousIsWord != 0) : false
        while offset < count {
            let byte = base[offset]
            if isAlphanumeric(byte), !previous {
                starts[found] = Int32(truncatingIfNeeded: offset)
                found += 1
            }
            previous = isWordByte(byte)
            offset += 1
        }
        return found
    }

    @inline(__always)
    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte | 0x20) &- 97 < 26 || byte &- 48 < 10
    }

    /// An ASCII letter, digit or `_`: what a word start may not follow.
    @inline(__always)
    static func isWordByte(_ byte: UInt8) -> Bool { isAlphanumeric(byte) || byte == UInt8(ascii: "_") }

    /// Whether `\` followed by `letter` occurs anywhere (an escaped backslash before the letter
    /// counts too, which only makes the answer more cautious).
    private static func containsEscape(_ letter: UInt8, in bytes: [UInt8]) -> Bool {
        bytes.indices.dropLast().contains { bytes[$0] == UInt8(ascii: "\\") && bytes[$0 + 1] == letter }
    }

    /// Words every match of `node` starts with, each right after a `\b`; `nil` if unknown.
    static func wordsAfterBoundary(_ node: RegexAtoms.Node) -> [[UInt8]]? {
        switch node {
        case .alternation(let branches):
            return union(branches, wordsAfterBoundary)
        case .sequence(let items):
            var afterBoundary = false
            for item in items {
                switch item {
                case .boundary: afterBoundary = true
                case .empty: continue  // lookarounds and anchors take no bytes
                default:
                    guard afterBoundary else { return nil }
                    return leadingLiterals(item)
                }
            }
            return nil
        default:
            return nil
        }
    }

    /// What `each` finds in every branch, together; `nil` if it finds nothing sure in one of them.
    private static func union(_ branches: [RegexAtoms.Node], _ each: (RegexAtoms.Node) -> [[UInt8]]?) -> [[UInt8]]? {
        var all: [[UInt8]] = []
        for branch in branches {
            guard let found = each(branch) else { return nil }
            all += found
        }
        return all
    }

    /// Literals every match of `node` starts with (each at least one byte), or `nil`.
    static func leadingLiterals(_ node: RegexAtoms.Node) -> [[UInt8]]? {
        switch node {
        case .literal(let bytes): return bytes.isEmpty ? nil : [bytes]
        case .repeated(let inner, let min, _): return min >= 1 ? leadingLiterals(inner) : nil
        case .alternation(let branches):
            return union(branches, leadingLiterals)
        case .sequence(let items):
            for item in items {
                switch item {
                case .empty, .boundary: continue
                default: return leadingLiterals(item)
                }
            }
            return nil
        case .digit:
            // Any digit, as a word of one: exact on texts where `\d` means the ASCII digits only
            // (see ``needsNeutralText``).
            return (UInt8(ascii: "0")...UInt8(ascii: "9")).map { [$0] }
        case .other, .separator, .empty, .boundary, .optional:
            return nil
        }
    }
}

/// A text's word starts (see ``LeadingWords``), grouped by their first byte, each group in text
/// order: a pattern reads only the groups of its words' first letters.
struct WordStarts: Sendable {
    private let positions: [Int32]
    /// Group of first byte `b`: `positions[groupStart[b] ..< groupStart[b + 1]]`.
    private let groupStart: [Int32]

    init(_ text: UnsafeBufferPointer<UInt8>) {
        self.init(text, starts: LeadingWords.wordStarts(in: text))
    }

    /// Groups `starts`, the word starts of `text` (``LeadingWords/wordStarts(in:)``).
    init(_ text: UnsafeBufferPointer<UInt8>, starts: [Int32]) {
        // A counting sort by first byte, through pointers: it runs once per document.
        var counts = [Int32](filledWith: 0, count: 129)
        counts.withUnsafeMutableBufferPointer { counts in
            for position in starts { counts[Int(text[Int(position)]) &+ 1] &+= 1 }
            for index in 1..<counts.count { counts[index] &+= counts[index - 1] }
        }
        groupStart = counts
        var next = counts
        positions = [Int32](unsafeUninitializedCapacity: starts.count) { grouped, initialized in
            next.withUnsafeMutableBufferPointer { next in
                for position in starts {
                    let lead = Int(text[Int(position)])
                    grouped[Int(next[lead])] = position
                    next[lead] &+= 1
                }
            }
            initialized = starts.count
        }
    }

    /// The word starts whose byte is `lead`, in text order.
    func starting(with lead: UInt8) -> ArraySlice<Int32> {
        positions[Int(groupStart[Int(lead)])..<Int(groupStart[Int(lead) + 1])]
    }

    /// Runs `body` with the starts and the group bounds read in place: the group of first byte
    /// `b` is `positions[groupStart[b] ..< groupStart[b + 1]]`.
    func withGroups<Result>(_ body: (_ positions: UnsafeBufferPointer<Int32>, _ groupStart: UnsafeBufferPointer<Int32>) -> Result) -> Result {
        positions.withUnsafeBufferPointer { positions in groupStart.withUnsafeBufferPointer { body(positions, $0) } }
    }
}
