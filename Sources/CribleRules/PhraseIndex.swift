import CribleCore

/// A keyword phrase as the matcher sees it: folded tokens, each possibly a prefix (`régul*`).
/// A class: matches refer to their phrase without copying its arrays.
public final class Phrase: Sendable {
    /// Folded bytes of each token.
    public let tokens: [[UInt8]]
    /// Original spelling of each token, for case-sensitive phrases.
    public let originalTokens: [[UInt8]]
    /// Whether each token was written with a trailing `*` and so matches any word it begins.
    public let prefixes: [Bool]
    /// The phrase as written in the rule file.
    public let source: String

    public var lastIsPrefix: Bool { prefixes.last ?? false }

    /// Folds and tokenizes `text` exactly as documents are, so both sides agree by construction.
    /// Returns `nil` when the phrase has no word in it (punctuation only).
    public init?(_ text: String) {
        let view = TextView(text.trimmingWhitespace())
        guard !view.tokens.isEmpty else { return nil }
        tokens = view.tokens.map { Array(view.folded[Int($0.start)..<Int($0.end)]) }
        originalTokens = view.tokens.indices.map { Array(view.original[view.originalRange(ofTokens: $0, through: $0)]) }
        prefixes = view.tokens.indices.map { index in
            let end = view.originalRange(ofTokens: index, through: index).upperBound
            return end < view.original.count && view.original[end] == UInt8(ascii: "*")
        }
        source = text
    }
}

/// Finds every occurrence of many phrases in one pass over a document's tokens.
///
/// Phrases are indexed by the hash of their first token, so the cost of a lookup does not grow
/// with the number of phrases: this is what keeps 1,000 keyword rules about as cheap as ten.
/// Prefix phrases (`régul*`) are indexed by the hash of the prefix and its length; a token is
/// checked against each distinct prefix length, of which there are few.
public struct PhraseIndex<Payload: Sendable>: Sendable {
    struct Entry: Sendable {
        let phrase: Phrase
        let payload: Payload
    }

    private var entries: [Entry] = []
    /// Token hash → slot in `candidateLists` (lists grow in place while the index is built).
    private var byFirstToken = TokenTable<Int32>()
    private var byPrefix = TokenTable<Int32>()
    private var candidateLists: [[Int32]] = []
    private var prefixLengths: [Int] = []

    public init() {}

    public var isEmpty: Bool { entries.isEmpty }
    public var count: Int { entries.count }

    public mutating func insert(_ phrase: Phrase, payload: Payload) {
        let index = Int32(entries.count)
        entries.append(Entry(phrase: phrase, payload: payload))
        let first = phrase.tokens[0]
        if phrase.prefixes[0] {
            PhraseIndex.append(index, to: &byPrefix, lists: &candidateLists, key: prefixKey(Tokenizer.hash(first), first.count))
            if !prefixLengths.contains(first.count) {
                prefixLengths.append(first.count)
                prefixLengths.sort()
            }
        } else {
            PhraseIndex.append(index, to: &byFirstToken, lists: &candidateLists, key: Tokenizer.hash(first))
        }
    }

    private static func append(_ entry: Int32, to table: inout TokenTable<Int32>, lists: inout [[Int32]], key: UInt64) {
        if let slot = table[key] {
            lists[Int(slot)].append(entry)
        } else {
            let slot = Int32(lists.count)
            lists.append([entry])
            table.update(key) { _ in slot }
        }
    }

    public struct Match: Sendable {
        public let payload: Payload
        /// Token indices, inclusive.
        public let firstToken: Int
        public let lastToken: Int
        public let phrase: Phrase
    }

    /// Every match of every phrase, in token order (overlaps included; callers pick).
    public func matches(in text: TextView, tokenRange: Range<Int>? = nil) -> [Match] {
        var found: [Match] = []
        let tokens = text.tokens
        let range = tokenRange ?? 0..<tokens.count
        text.folded.withUnsafeBufferPointer { folded in
            for index in range {
                let token = tokens[index]
                if let slot = byFirstToken[token.hash] {
                    for candidate in candidateLists[Int(slot)] {
                        let entry = entries[Int(candidate)]
                        if let last = matchTail(entry.phrase, at: index, tokens: tokens, folded: folded, end: range.upperBound) {
                            found.append(Match(payload: entry.payload, firstToken: index, lastToken: last, phrase: entry.phrase))
                        }
                    }
                }
                guard !prefixLengths.isEmpty else { continue }
                let length = token.length
                var hash = Tokenizer.fnvOffset
                var consumed = 0
                for prefixLength in prefixLengths {
                    if prefixLength > length { break }
                    while consumed < prefixLength {
                        hash = (hash ^ UInt64(folded[Int(token.start) + consumed])) &* Tokenizer.fnvPrime
                        consumed += 1
                    }
                    guard let slot = byPrefix[prefixKey(hash, prefixLength)] else { continue }
                    for candidate in candidateLists[Int(slot)] {
                        let entry = entries[Int(candidate)]
                        if let last = matchTail(entry.phrase, at: index, tokens: tokens, folded: folded, end: range.upperBound) {
                            found.append(Match(payload: entry.payload, firstToken: index, lastToken: last, phrase: entry.phrase))
                        }
                    }
                }
            }
        }
        return found
    }

    /// Checks the whole phrase starting at token `start`; returns the last token index on success.
    private func matchTail(_ phrase: Phrase, at start: Int, tokens: [Token], folded: UnsafeBufferPointer<UInt8>,
                           end: Int) -> Int? {
        let count = phrase.tokens.count
        guard start + count <= end else { return nil }
        for offset in 0..<count {
            let token = tokens[start + offset]
            let expected = phrase.tokens[offset]
            if phrase.prefixes[offset] {
                guard token.length >= expected.count else { return nil }
            } else {
                guard token.length == expected.count else { return nil }
            }
            if !bytesEqual(expected, folded, from: Int(token.start)) { return nil }
        }
        return start + count - 1
    }

    private func prefixKey(_ hash: UInt64, _ length: Int) -> UInt64 { hash &+ UInt64(length) &* 0x9E37_79B9_7F4A_7C15 }
}

@inline(__always)
func bytesEqual(_ expected: [UInt8], _ text: UnsafeBufferPointer<UInt8>, from start: Int) -> Bool {
    guard start + expected.count <= text.count else { return false }
    for offset in 0..<expected.count where expected[offset] != text[start + offset] { return false }
    return true
}

/// Keeps, from matches sorted by start, the leftmost-longest ones that do not overlap: within one
/// rule, "IA générative" wins over "IA" at the same place, and "IA" is not reported again inside it.
public func leftmostLongest<Payload>(_ matches: [PhraseIndex<Payload>.Match]) -> [PhraseIndex<Payload>.Match] {
    let sorted = matches.sorted { lhs, rhs in
        lhs.firstToken != rhs.firstToken ? lhs.firstToken < rhs.firstToken : lhs.lastToken > rhs.lastToken
    }
    var kept: [PhraseIndex<Payload>.Match] = []
    var nextFree = 0
    for match in sorted where match.firstToken >= nextFree {
        kept.append(match)
        nextFree = match.lastToken + 1
    }
    return kept
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
