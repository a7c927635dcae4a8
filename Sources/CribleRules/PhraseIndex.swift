import CribleCore

/// A keyword phrase as the matcher sees it: folded tokens, each possibly a prefix (`régul*`).
/// A class: matches refer to their phrase without copying it.
///
/// The tokens live in one byte array (every folded token, then every original spelling) with one
/// small layout entry per token: the bundled packs make some 20,000 phrases while loading, and an
/// array per token (folded, original, prefix marks, and the arrays holding them) had made phrases
/// the largest source of allocations of loading.
public final class Phrase: Sendable {
    struct TokenLayout: Sendable {
        /// End of the token's folded bytes in `bytes`.
        let foldedEnd: UInt32
        /// End of the token's original bytes in `bytes` (after every folded token).
        let originalEnd: UInt32
        /// Written with a trailing `*`: matches any word it begins.
        let isPrefix: Bool
    }

    private let bytes: [UInt8]
    private let layout: [TokenLayout]
    /// The phrase as written in the rule file.
    public let source: String

    public var tokenCount: Int { layout.count }

    /// Folded bytes of token `index`.
    public func token(_ index: Int) -> ArraySlice<UInt8> {
        bytes[(index == 0 ? 0 : Int(layout[index - 1].foldedEnd))..<Int(layout[index].foldedEnd)]
    }

    /// Token `index` as written, for case-sensitive phrases.
    public func originalToken(_ index: Int) -> ArraySlice<UInt8> {
        let start = index == 0 ? Int(layout[layout.count - 1].foldedEnd) : Int(layout[index - 1].originalEnd)
        return bytes[start..<Int(layout[index].originalEnd)]
    }

    /// Whether token `index` was written with a trailing `*`.
    public func isPrefix(_ index: Int) -> Bool { layout[index].isPrefix }

    public var lastIsPrefix: Bool { layout.last?.isPrefix ?? false }

    /// FNV-1a over the folded tokens and their prefix marks (0xFE and 0xFF never occur in UTF-8):
    /// equal for phrases that match the same words, and different, but for collisions, otherwise.
    /// Computed once: a lexicon term is keyed by it when lexicons merge, then indexed by it.
    let termHash: UInt64

    /// Whether the two phrases match the same words: the same folded tokens, prefixes alike.
    func matchesSameWords(as other: Phrase) -> Bool {
        guard tokenCount == other.tokenCount else { return false }
        for index in 0..<tokenCount where isPrefix(index) != other.isPrefix(index) || token(index) != other.token(index) {
            return false
        }
        return true
    }
    public var hasPrefix: Bool { layout.contains(where: \.isPrefix) }

    /// Folded bytes of each token (a new array per token: for tests and tools, not for loops).
    public var tokens: [[UInt8]] { (0..<tokenCount).map { Array(token($0)) } }
    /// Original spelling of each token (same remark).
    public var originalTokens: [[UInt8]] { (0..<tokenCount).map { Array(originalToken($0)) } }
    /// Whether each token is a prefix (same remark).
    public var prefixes: [Bool] { layout.map(\.isPrefix) }

    private init(bytes: [UInt8], layout: [TokenLayout], source: String) {
        self.bytes = bytes
        self.layout = layout
        self.source = source
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        let prime: UInt64 = 0x0000_0100_0000_01b3
        var start = 0
        for token in layout {
            for byte in bytes[start..<Int(token.foldedEnd)] { hash = (hash ^ UInt64(byte)) &* prime }
            hash = (hash ^ (token.isPrefix ? 0xFE : 0xFF)) &* prime
            start = Int(token.foldedEnd)
        }
        termHash = hash
    }

    /// Folds and tokenizes `text` exactly as documents are, so both sides agree by construction.
    /// Returns `nil` when the phrase has no word in it (punctuation only).
    public convenience init?(_ text: String) {
        // Most lexicon terms and keywords are ASCII words separated by single spaces, perhaps
        // with a final `*`: their folded tokens are the words in lower case, so no text view (a
        // dozen allocations) is built. The tokenizer gives the same result (letters and digits
        // make one token, a space or `*` ends it); `MatchingTests` checks the two ways agree.
        if let (bytes, layout) = Phrase.plainASCII(text) {
            self.init(bytes: bytes, layout: layout, source: text)
        } else {
            self.init(viewing: text)
        }
    }

    /// The folded-then-original bytes and the layout of a phrase of ASCII letters and digits in
    /// words separated by single spaces, with perhaps a final `*`; `nil` for any other phrase.
    private static func plainASCII(_ text: String) -> ([UInt8], [TokenLayout])? {
        let utf8 = text.utf8
        let space = UInt8(ascii: " ")
        let isPrefix = utf8.last == UInt8(ascii: "*")
        let count = utf8.count - (isPrefix ? 1 : 0)
        guard count > 0 else { return nil }
        // First pass: check the shape and count the words, so that both arrays are allocated once.
        var wordCount = 1
        var previousWasSpace = true
        for byte in utf8.prefix(count) {
            if byte == space {
                // A leading, trailing or doubled space is left to the general path.
                guard !previousWasSpace else { return nil }
                wordCount += 1
                previousWasSpace = true
            } else {
                guard (byte | 0x20) &- 97 < 26 || byte &- 48 < 10 else { return nil }
                previousWasSpace = false
            }
        }
        guard !previousWasSpace else { return nil }
        let letterCount = count - (wordCount - 1)
        var bytes = [UInt8](repeating: 0, count: 2 * letterCount)
        var layout: [TokenLayout] = []
        layout.reserveCapacity(wordCount)
        var position = 0
        for byte in utf8.prefix(count) {
            if byte == space {
                layout.append(TokenLayout(foldedEnd: UInt32(position), originalEnd: UInt32(letterCount + position), isPrefix: false))
                continue
            }
            bytes[position] = foldedASCII(byte)
            bytes[letterCount + position] = byte
            position += 1
        }
        layout.append(TokenLayout(foldedEnd: UInt32(position), originalEnd: UInt32(letterCount + position), isPrefix: isPrefix))
        return (bytes, layout)
    }

    /// The general way: through a text view of the phrase.
    convenience init?(viewing text: String) {
        let view = TextView(text)
        guard !view.tokens.isEmpty else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(view.folded.count + view.original.count)
        var foldedEnds: [Int] = []
        for token in view.tokens {
            bytes += view.folded[Int(token.start)..<Int(token.end)]
            foldedEnds.append(bytes.count)
        }
        var layout: [TokenLayout] = []
        layout.reserveCapacity(view.tokens.count)
        for (index, foldedEnd) in foldedEnds.enumerated() {
            let range = view.originalRange(ofTokens: index, through: index)
            bytes += view.original[range]
            layout.append(TokenLayout(foldedEnd: UInt32(foldedEnd), originalEnd: UInt32(bytes.count),
                                      isPrefix: range.upperBound < view.original.count
                                          && view.original[range.upperBound] == UInt8(ascii: "*")))
        }
        self.init(bytes: bytes, layout: layout, source: text)
    }
}

/// Finds every occurrence of many phrases in one pass over a document's tokens.
///
/// Phrases are indexed by the hash of their first token (by the hashes of their first two when
/// both are whole words), so the cost of a lookup does not grow with the number of phrases: this
/// is what keeps 1,000 keyword rules about as cheap as ten. Prefix phrases (`régul*`) are indexed
/// by the first three bytes of their prefix; a token is compared with the few prefixes that
/// start as it does.
public struct PhraseIndex<Payload: Sendable>: Sendable {
    public typealias Match = PhraseMatch

    fileprivate var phrases: [Phrase] = []
    private var payloads: [Payload] = []
    fileprivate var matcher = PhraseMatcher()

    public init() {}

    public var isEmpty: Bool { phrases.isEmpty }
    public var count: Int { phrases.count }

    public mutating func insert(_ phrase: Phrase, payload: Payload) {
        matcher.insert(phrase, entry: Int32(phrases.count))
        phrases.append(phrase)
        payloads.append(payload)
    }

    /// Makes room for `count` more phrases, so that building a large lexicon does not rehash its
    /// tables again and again.
    public mutating func reserveCapacity(_ count: Int) {
        phrases.reserveCapacity(count)
        payloads.reserveCapacity(count)
        matcher.reserveCapacity(count)
    }

    public func phrase(of match: Match) -> Phrase { phrases[Int(match.entry)] }
    public func payload(of match: Match) -> Payload { payloads[Int(match.entry)] }
    /// Every entry's payload, in entry order.
    var allPayloads: [Payload] { payloads }
    /// Every entry's phrase, in entry order.
    var allPhrases: [Phrase] { phrases }

    /// Every match of every phrase, in token order (overlaps included; callers pick).
    public func matches(in text: TextView, tokenRange: Range<Int>? = nil) -> [Match] {
        matcher.matches(in: text, tokenRange: tokenRange)
    }
}

/// Two phrase indexes searched in one walk of a document's tokens: the rules' keywords and the
/// sentiment lexicon of the document's language. Each walk looks every token up in its tables
/// (the phrases it may start, alone or with the next token, and the prefixes it may begin with),
/// some 90 instructions a token before any phrase is checked; one walk for both does that once.
///
/// The first index's phrases keep their entries and the second's follow them, so each index's
/// matches come out exactly as its own ``PhraseIndex/matches(in:tokenRange:)`` lists them: at
/// each token the matches found through whole words are in entry order, and those of each
/// prefix in entry order after them, so keeping one index's share keeps its order.
///
/// A class: a rule set keeps one per language in a dictionary, and taking a struct out of it for
/// each document retained and released each of the matcher's dozen arrays (some 900
/// instructions, a fifteenth of a tweet's rule evaluation).
public final class PhraseSearch<First: Sendable, Second: Sendable>: Sendable {
    private let matcher: PhraseMatcher
    private let firstCount: Int32

    /// - Parameter keepingFirst: the entries of `first` to search for, by entry (all when `nil`):
    ///   a rule set leaves out the phrases of rules gated to other languages, whose matches the
    ///   rules would drop. Their words were nearly a quarter of the rules' matches in French news
    ///   (words of English rules that French tech writing uses too) and answered "maybe" to the
    ///   walk's filters for tokens that start nothing searched for. The entries kept keep their
    ///   numbers.
    public init(_ first: PhraseIndex<First>, _ second: PhraseIndex<Second>, keepingFirst kept: [Bool]? = nil) {
        firstCount = Int32(first.count)
        var matcher: PhraseMatcher
        if let kept, kept.contains(false) {
            matcher = PhraseMatcher()
            matcher.reserveCapacity(first.count + second.count)
            for (entry, phrase) in first.phrases.enumerated() where kept[entry] { matcher.insert(phrase, entry: Int32(entry)) }
        } else {
            // The first index's matcher holds its phrases as their entries already: the second's
            // are added to a copy of it, not the first's inserted again for every language.
            matcher = first.matcher
        }
        for (entry, phrase) in second.phrases.enumerated() { matcher.insert(phrase, entry: firstCount + Int32(entry)) }
        self.matcher = matcher
    }

    /// The matches of each index, as its own `matches(in:)` gives them.
    public func matches(in text: TextView) -> (first: [PhraseMatch], second: [PhraseMatch]) {
        let all = matcher.matches(in: text, tokenRange: nil)
        var first: [PhraseMatch] = [], second: [PhraseMatch] = []
        first.reserveCapacity(all.count)
        second.reserveCapacity(all.count / 2 + 16)
        for match in all {
            if match.entry < firstCount {
                first.append(match)
            } else {
                second.append(PhraseMatch(entry: match.entry - firstCount, firstToken: match.firstToken, lastToken: match.lastToken))
            }
        }
        return (first, second)
    }
}

/// One occurrence of a phrase of a ``PhraseIndex``.
public struct PhraseMatch: Sendable {
    /// Which phrase matched: see ``PhraseIndex/phrase(of:)`` and ``PhraseIndex/payload(of:)``.
    public let entry: Int32
    /// Token indices, inclusive.
    public let firstToken: Int
    public let lastToken: Int
}

/// The matching half of a ``PhraseIndex``: not generic, and made of flat arrays of integers and
/// bytes, because its loop runs for every token of every document. No phrase object, payload or
/// nested array is touched (and so retained and released) until a match is found.
struct PhraseMatcher: Sendable {
    /// The matcher works on distinct phrases: the same words listed by several rules (the AI
    /// terms that every AI-policy proximity rule starts from) are checked once per occurrence,
    /// then reported once for each entry that lists them. A phrase's owner (the first word of
    /// its record) is that entry when it is the only one (`≥ 0`), else a list in `ownerLists`
    /// (see ``EntryLists``), entries in the order added.
    private var ownerLists = EntryLists()
    /// Distinct phrases by a hash of their folded tokens and prefix marks: read only when a phrase
    /// is added, and kept with the matcher (16 bytes a slot, at most two slots per distinct phrase).
    private var phraseByHash = TokenTable<Int32>()

    /// Each distinct phrase as one record of 32-bit words, found by the index of its first word
    /// (what the tables below hold): its owner, its token count, then for each token a header
    /// (its length, and bit 31 when it is a prefix) and its folded bytes, zero-padded to a word.
    /// Checking a candidate reads one record, a cache line or two: kept as five arrays (counts,
    /// first tokens, token patterns, bytes, owners), a check read five lines far apart, and the
    /// tables are too large for the caches to keep them. A zero word ends the array, so that a
    /// token's bytes are compared eight at a time without reading past it.
    private var records: [UInt32] = [0]
    /// Token hash → candidates: `≥ 0` is the only phrase starting with that token; `< 0` is a
    /// list in `candidateLists`, for the few tokens that start several phrases.
    private var byFirstToken = TokenTable<Int32>()
    /// Prefixes of one or two bytes, by a hash of the prefix and its length.
    private var byShortPrefix = TokenTable<Int32>()
    private var candidateLists = EntryLists()
    /// Whether any phrase starts with a prefix.
    private var hasPrefixes = false
    /// Bit `n` set when some prefix has `n` bytes, for `n` of 1 and 2, the lengths tried at every
    /// token: walking a list of prefix lengths to find there were none was 14 instructions a token.
    private var shortPrefixLengths: UInt32 = 0
    /// First-token hashes, checked before `byFirstToken`: most tokens start no phrase.
    private var firstTokenFilter = KeyFilter(bits: 17)

    /// The start keys (below) of every prefix of three bytes or more: most tokens start no
    /// prefix, and this skips the lookup of the prefixes that start so for them.
    private var prefixStarts = KeyFilter(bits: 16)
    /// Whether some prefix has exactly three bytes (few do: the lexicons' stems are longer).
    private var hasThreeBytePrefixes = false
    /// A prefix of three bytes or more: its first eight bytes (little-endian, zeros past its
    /// end) and their mask, its length, the phrases that start with it (as in `byFirstToken`),
    /// and the next prefix with the same start key (`-1` for none), by increasing length.
    struct PrefixEntry: Sendable {
        let word: UInt64
        let mask: UInt64
        let length: Int32
        var candidates: Int32
        var next: Int32
    }
    private var prefixEntries: [PrefixEntry] = []
    /// Start key → the shortest prefix with that key, in `prefixEntries` (read when filing; the
    /// walk reads the copies in `firstPrefixByStart`). A token is compared
    /// with those prefixes, eight bytes under a mask each (a few per key), where it was hashed
    /// and looked up at each of their lengths, a filter and a table each: that was two fifths of
    /// the matcher's instructions. A prefix longer than eight bytes is compared on its first
    /// eight here, and on all of them by `check`, like every phrase.
    private var prefixesByStart = TokenTable<Int32>()
    /// The same shortest prefix of each start key, as a copy of its entry (its `next` leads on
    /// into `prefixEntries`): what the walk reads. A quarter of news tokens start some prefix,
    /// and reaching the entry through its number read a line of `prefixEntries` after the
    /// table's, a second wait on memory for each of them.
    private var firstPrefixByStart = TokenTable<PrefixEntry>()

    /// A prefix's start key: its first four bytes, or its three when it has no more, tagged
    /// with that count. Keyed by three bytes, three tokens in four of news text began some
    /// lexicon stem (`con`, `pro`, `dev`…) and walked its list, with a load that missed the
    /// cache and a loop exit mispredicted once in three: the matcher's hottest instructions.
    /// By four bytes, half do, and they walk a quarter as many prefixes.
    @inline(__always)
    static func prefixStartKey(_ word: UInt64, bytes: Int) -> UInt64 {
        bytes == 3 ? (word & 0xFF_FFFF) | 3 << 32 : (word & 0xFFFF_FFFF) | 4 << 32
    }

    /// Phrases of two words or more whose first two words are whole words, by the pair of their
    /// hashes. Lexicons hold dozens of phrases starting with `de`, `a`, `en` or `ne` (“de bonne
    /// foi”, “a la hauteur”): indexed by their first word alone, every `de` of a text would check
    /// them all, and that was most of the matcher's time.
    private var byFirstTwo = TokenTable<Int32>()
    private var firstTwoFilter = KeyFilter(bits: 17)

    @inline(__always)
    static func pairKey(_ first: UInt64, _ second: UInt64) -> UInt64 {
        (first &* 0x9E37_79B9_7F4A_7C15) ^ (second &+ 0x632B_E59B_D9B4_E019)
    }

    mutating func insert(_ phrase: Phrase, entry: Int32) {
        // One hash over the tokens and their prefix marks, confirmed against the stored bytes: a
        // dictionary keyed by byte arrays made loading the bundled packs a tenth slower.
        let hash = phrase.termHash
        let known = phraseByHash[hash]
        if let known, isStored(phrase, at: known) {
            let owner = PhraseMatcher.adding(entry, to: Int32(bitPattern: records[Int(known)]), lists: &ownerLists)
            records[Int(known)] = UInt32(bitPattern: owner)
            return
        }
        let record = Int32(records.count - 1)
        if known == nil { phraseByHash.update(hash) { _ in record } }
        appendRecord(of: phrase, owner: entry)
        insertDistinct(phrase, as: record)
    }

    private static let prefixFlag: UInt32 = 1 << 31

    /// Adds the record of `phrase` (see `records`) at the end.
    private mutating func appendRecord(of phrase: Phrase, owner: Int32) {
        records.removeLast()
        defer { records.append(0) }
        records.append(UInt32(bitPattern: owner))
        records.append(UInt32(phrase.tokenCount))
        for index in 0..<phrase.tokenCount {
            let token = phrase.token(index)
            records.append(UInt32(token.count) | (phrase.isPrefix(index) ? PhraseMatcher.prefixFlag : 0))
            // The bytes as they are, in zeroed words: read back as bytes (by `isStored` and as
            // little-endian words by `check`), whatever the machine's byte order.
            let first = records.count
            records.append(contentsOf: repeatElement(0, count: (token.count + 3) / 4))
            records.withUnsafeMutableBytes { stored in
                token.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: stored[(first * 4)...]).copyMemory(from: $0) }
            }
        }
    }

    /// Whether the record at `record` has exactly the tokens and prefix marks of `phrase`.
    private func isStored(_ phrase: Phrase, at record: Int32) -> Bool {
        guard Int(records[Int(record) + 1]) == phrase.tokenCount else { return false }
        var cursor = Int(record) + 2
        return records.withUnsafeBytes { stored in
            for offset in 0..<phrase.tokenCount {
                let token = phrase.token(offset)
                let header = records[cursor]
                guard (header & PhraseMatcher.prefixFlag != 0) == phrase.isPrefix(offset),
                      Int(header & ~PhraseMatcher.prefixFlag) == token.count,
                      stored[(cursor + 1) * 4..<(cursor + 1) * 4 + token.count].elementsEqual(token) else { return false }
                cursor += 1 + (token.count + 3) / 4
            }
            return true
        }
    }

    private mutating func insertDistinct(_ phrase: Phrase, as record: Int32) {
        let first = phrase.token(0)
        if phrase.isPrefix(0) {
            hasPrefixes = true
            if first.count < 3 {
                PhraseMatcher.add(record, to: &byShortPrefix, lists: &candidateLists, key: prefixKey(Tokenizer.hash(first), first.count))
                shortPrefixLengths |= UInt32(1) << UInt32(first.count)
            } else {
                insertPrefix(first, record: record)
            }
        } else if phrase.tokenCount >= 2, !phrase.isPrefix(1) {
            let key = PhraseMatcher.pairKey(Tokenizer.hash(first), Tokenizer.hash(phrase.token(1)))
            PhraseMatcher.add(record, to: &byFirstTwo, lists: &candidateLists, key: key)
            firstTwoFilter.insert(key)
        } else {
            let hash = Tokenizer.hash(first)
            PhraseMatcher.add(record, to: &byFirstToken, lists: &candidateLists, key: hash)
            firstTokenFilter.insert(hash)
        }
    }

    /// Adds the phrase whose record is at `record` to those starting with the prefix `bytes`
    /// (three bytes or more): to its entry when another phrase has the same length and first
    /// eight bytes (`check` tells them apart beyond), else to a new entry linked in by length.
    private mutating func insertPrefix(_ bytes: ArraySlice<UInt8>, record: Int32) {
        let (word, mask) = littleEndianKey(bytes)
        let length = Int32(bytes.count)
        let start = PhraseMatcher.prefixStartKey(word, bytes: min(bytes.count, 4))
        if bytes.count == 3 { hasThreeBytePrefixes = true }
        var previous: Int32 = -1
        var current = prefixesByStart[start] ?? -1
        while current >= 0, prefixEntries[Int(current)].length <= length {
            if prefixEntries[Int(current)].length == length, prefixEntries[Int(current)].word == word {
                prefixEntries[Int(current)].candidates = PhraseMatcher.adding(record, to: prefixEntries[Int(current)].candidates,
                                                                              lists: &candidateLists)
                refreshFirstPrefix(start)
                return
            }
            previous = current
            current = prefixEntries[Int(current)].next
        }
        let index = Int32(prefixEntries.count)
        prefixEntries.append(PrefixEntry(word: word, mask: mask, length: length, candidates: record, next: current))
        if previous >= 0 {
            prefixEntries[Int(previous)].next = index
        } else {
            prefixesByStart.update(start) { _ in index }
        }
        prefixStarts.insert(start)
        refreshFirstPrefix(start)
    }

    /// Copies the shortest prefix of `start` into `firstPrefixByStart`, after any change to its
    /// list: the copy holds the first entry's `next` too, which changes when a prefix is linked
    /// in right after it.
    private mutating func refreshFirstPrefix(_ start: UInt64) {
        guard let first = prefixesByStart[start] else { return }
        let entry = prefixEntries[Int(first)]
        firstPrefixByStart.update(start) { _ in entry }
    }

    mutating func reserveCapacity(_ count: Int) {
        // A record is five words for a word of up to eight bytes.
        records.reserveCapacity(records.count + 5 * count)
        phraseByHash.reserveCapacity(count)
        byFirstToken.reserveCapacity(count)
    }

    private static func add(_ entry: Int32, to table: inout TokenTable<Int32>, lists: inout EntryLists, key: UInt64) {
        table.update(key) { adding(entry, to: $0, lists: &lists) }
    }

    /// An entry reference (`≥ 0`: one entry; `< 0`: a list in `lists`) with `entry` added: most
    /// references stay a single entry, with no list to allocate. The reference may change (a
    /// list that outgrows its room moves): callers store the one returned.
    private static func adding(_ entry: Int32, to current: Int32?, lists: inout EntryLists) -> Int32 {
        guard let current else { return entry }
        if current >= 0 { return lists.make([current, entry]) }
        return lists.append(entry, to: current)
    }

    func matches(in text: TextView, tokenRange: Range<Int>?) -> [PhraseMatch] {
        let range = tokenRange ?? 0..<text.tokens.count
        return text.folded.withUnsafeBufferPointer { folded in
        text.tokens.withUnsafeBufferPointer { tokens in
        records.withUnsafeBufferPointer { records in
        // The lists of owners and candidates through pointers: kept as an array of arrays, each
        // list taken out was retained and released (some 19,000 times a megabyte of news).
        ownerLists.storage.withUnsafeBufferPointer { ownerLists in
        candidateLists.storage.withUnsafeBufferPointer { candidateLists in
            // News text gives the bundled rules about one match per two tokens: sized once for
            // that, the list does not grow through a dozen copies. The nested functions take it
            // `inout`: captured, it was checked for exclusive access at run time, a call at
            // every read and append.
            var found: [PhraseMatch] = []
            found.reserveCapacity(range.count / 2 + 16)
            let stored = UnsafeRawBufferPointer(records)
            /// The number of tokens of the phrase whose record is at `record` when it occurs at
            /// token `index`, else 0. Out of line, to keep the walk's loop small, and without
            /// touching `found`: a nested function that is not inlined reaches the variables it
            /// captures through a box, checked for exclusive access at every append.
            @inline(never) func check(_ record: Int32, at index: Int) -> Int {
                let count = Int(records[Int(record) + 1])
                guard index + count <= range.upperBound else { return 0 }
                var cursor = Int(record) + 2
                for offset in 0..<count {
                    let token = tokens[index + offset]
                    let header = records[cursor]
                    let length = Int(header & ~PhraseMatcher.prefixFlag)
                    if header & PhraseMatcher.prefixFlag != 0 {
                        guard token.length >= length else { return 0 }
                    } else {
                        guard token.length == length else { return 0 }
                    }
                    // Eight bytes at a time: a loop over each byte left at a different length for
                    // every phrase, and cost most of the check's instructions.
                    let start = Int(token.start)
                    let expected = (cursor + 1) * 4
                    var position = 0
                    while position < length {
                        let remaining = length &- position
                        let mask = lowBytesMask(remaining)
                        let stored = UInt64(littleEndian: stored.loadUnaligned(fromByteOffset: expected &+ position, as: UInt64.self))
                        guard (stored ^ folded.word(at: start &+ position)) & mask == 0 else { return 0 }
                        position &+= 8
                    }
                    cursor += 1 + (length + 3) >> 2
                }
                return count
            }
            /// Records the matches of the phrase at `record`, `count` tokens from token `index`.
            @inline(__always) func report(_ record: Int32, at index: Int, count: Int, into found: inout [PhraseMatch]) {
                let owner = Int32(bitPattern: records[Int(record)])
                if owner >= 0 {
                    found.append(PhraseMatch(entry: owner, firstToken: index, lastToken: index + count - 1))
                } else {
                    for shared in EntryLists.list(owner, in: ownerLists) {
                        found.append(PhraseMatch(entry: shared, firstToken: index, lastToken: index + count - 1))
                    }
                }
            }
            /// Matches at one token from one table come in the order their entries were added:
            /// the entries of distinct phrases interleave.
            @inline(__always) func inEntryOrder(_ found: inout [PhraseMatch], from start: Int) {
                guard found.count - start > 1 else { return }
                for position in (start + 1)..<found.count where found[position].entry < found[position - 1].entry {
                    found[start...].sort { $0.entry < $1.entry }
                    return
                }
            }
            @inline(__always) func checkAll(_ candidates: Int32, at index: Int, into found: inout [PhraseMatch]) {
                if candidates >= 0 {
                    let count = check(candidates, at: index)
                    if count > 0 { report(candidates, at: index, count: count, into: &found) }
                } else {
                    for entry in EntryLists.list(candidates, in: candidateLists) {
                        let count = check(entry, at: index)
                        if count > 0 { report(entry, at: index, count: count, into: &found) }
                    }
                }
            }
            /// A prefix's phrases at one token, in the order they were added.
            @inline(__always) func checkPrefix(_ candidates: Int32, at index: Int, into found: inout [PhraseMatch]) {
                let start = found.count
                checkAll(candidates, at: index, into: &found)
                inEntryOrder(&found, from: start)
            }
            for index in range {
                let token = tokens[index]
                let before = found.count
                if firstTokenFilter.mayContain(token.hash), let candidates = byFirstToken[token.hash] {
                    checkAll(candidates, at: index, into: &found)
                }
                if index + 1 < range.upperBound {
                    let key = PhraseMatcher.pairKey(token.hash, tokens[index + 1].hash)
                    if firstTwoFilter.mayContain(key), let candidates = byFirstTwo[key] {
                        checkAll(candidates, at: index, into: &found)
                    }
                }
                // Matches at one token come in the order their phrases were added, whichever
                // of these two tables found them.
                inEntryOrder(&found, from: before)
                guard hasPrefixes else { continue }
                let length = token.length
                // Prefixes of one or two bytes, then, in increasing length, those that share the
                // token's start key.
                if shortPrefixLengths != 0 {
                    @inline(__always) func probe(_ key: UInt64, into found: inout [PhraseMatch]) {
                        if let candidates = byShortPrefix[key] { checkPrefix(candidates, at: index, into: &found) }
                    }
                    let start = Int(token.start)
                    if shortPrefixLengths & 0b010 != 0 {
                        probe(prefixKey(Tokenizer.hash(UnsafeBufferPointer(rebasing: folded[start..<start + 1])), 1), into: &found)
                    }
                    if shortPrefixLengths & 0b100 != 0, length >= 2 {
                        probe(prefixKey(Tokenizer.hash(UnsafeBufferPointer(rebasing: folded[start..<start + 2])), 2), into: &found)
                    }
                }
                // No test of the token's length before the probes: a word of one or two bytes
                // (`le`, `de`, `à`) comes at random among longer ones, and the branch on it was
                // the walk's most mispredicted. Its start keys hold the byte after it, which no
                // prefix has (a prefix is word bytes), and a prefix longer than the token stops
                // the loop below before any comparison.
                let word = folded.word(at: Int(token.start))
                /// The prefixes with one start key, in increasing length, up to the token's.
                @inline(__always) func checkPrefixes(_ startKey: UInt64, into found: inout [PhraseMatch]) {
                    guard prefixStarts.mayContain(startKey), var candidate = firstPrefixByStart[startKey] else { return }
                    while true {
                        guard Int(candidate.length) <= length else { break }
                        if word & candidate.mask == candidate.word { checkPrefix(candidate.candidates, at: index, into: &found) }
                        guard candidate.next >= 0 else { break }
                        candidate = prefixEntries[Int(candidate.next)]
                    }
                }
                // Those of three bytes, then the longer ones: in increasing length.
                if hasThreeBytePrefixes { checkPrefixes(PhraseMatcher.prefixStartKey(word, bytes: 3), into: &found) }
                checkPrefixes(PhraseMatcher.prefixStartKey(word, bytes: 4), into: &found)
            }
            return found
        }}}}}
    }

    private func prefixKey(_ hash: UInt64, _ length: Int) -> UInt64 { hash &+ UInt64(length) &* 0x9E37_79B9_7F4A_7C15 }
}

/// Lists of entries laid end to end in one array, each referred to by a negative number: the
/// list at `offset` is `-(offset + 1)`, and holds its count, its room, then its entries. A list
/// that outgrows its room moves to the end with twice as much (what it leaves is never read).
/// Read through one pointer while matching, where an array of arrays made every list read a
/// retain and a release.
struct EntryLists: Sendable {
    private(set) var storage: [Int32] = []

    /// A new list of `entries`; its reference.
    mutating func make(_ entries: [Int32]) -> Int32 {
        let offset = storage.count
        storage += [Int32(entries.count), Int32(max(4, entries.count))]
        storage += entries
        storage += repeatElement(0, count: max(4, entries.count) - entries.count)
        return -Int32(offset + 1)
    }

    /// `reference`'s list with `entry` added; the list's reference, which changes if it moved.
    mutating func append(_ entry: Int32, to reference: Int32) -> Int32 {
        let offset = Int(-reference - 1)
        let count = Int(storage[offset]), room = Int(storage[offset + 1])
        guard count == room else {
            storage[offset + 2 + count] = entry
            storage[offset] += 1
            return reference
        }
        let entries = Array(storage[(offset + 2)..<(offset + 2 + count)])
        let moved = storage.count
        storage += [Int32(count + 1), Int32(2 * room)]
        storage += entries
        storage.append(entry)
        storage += repeatElement(0, count: 2 * room - count - 1)
        return -Int32(moved + 1)
    }

    /// The entries of the list `reference` names, in `storage` read through a pointer.
    @inline(__always)
    static func list(_ reference: Int32, in storage: UnsafeBufferPointer<Int32>) -> UnsafeBufferPointer<Int32> {
        let offset = Int(-reference - 1)
        return UnsafeBufferPointer(rebasing: storage[(offset + 2)..<(offset + 2 + Int(storage[offset]))])
    }
}

/// One bit per key, at the top bits of the key times a mixing constant: a filter small enough
/// to stay in the processor's cache (16 KB at 17 bits), asked before a hash table that does not.
/// "No" is certain; "maybe" is for the table to answer.
struct KeyFilter: Sendable {
    private var words: [UInt64]
    private let shift: UInt64

    init(bits: Int) {
        words = [UInt64](repeating: 0, count: 1 << (bits - 6))
        shift = UInt64(64 - bits)
    }

    /// The key's bit. Masking shifts (`&>>`) and unchecked reads: `shift` keeps the slot below
    /// the bit count, and the checks Swift adds otherwise (a shift of 64 or more, a negative
    /// integer, an index out of bounds) were a third of the instructions of each test, which the
    /// phrase matcher makes three times a token.
    @inline(__always)
    private func slot(_ key: UInt64) -> Int { Int(truncatingIfNeeded: (key &* 0xFF51_AFD7_ED55_8CCD) &>> shift) }

    mutating func insert(_ key: UInt64) {
        let slot = slot(key)
        words[slot &>> 6] |= 1 &<< UInt64(truncatingIfNeeded: slot & 63)
    }

    @inline(__always)
    func mayContain(_ key: UInt64) -> Bool {
        let slot = slot(key)
        return words.withUnsafeBufferPointer { $0[slot &>> 6] } &>> UInt64(truncatingIfNeeded: slot & 63) & 1 != 0
    }
}

/// Keeps, from matches sorted by start, the leftmost-longest ones that do not overlap: within one
/// rule, "IA générative" wins over "IA" at the same place, and "IA" is not reported again inside it.
/// Takes a run of a larger array (a rule's share of a document's matches) and returns it as it is,
/// without a copy, when nothing overlaps.
public func leftmostLongest(_ matches: ArraySlice<PhraseMatch>) -> ArraySlice<PhraseMatch> {
    // Most rules match a few separate words: already in order, none overlapping, all kept.
    var separate = true
    for index in matches.indices.dropFirst() where matches[index].firstToken <= matches[index - 1].lastToken {
        separate = false
        break
    }
    if separate { return matches }
    var sorted = matches.sorted { lhs, rhs in
        lhs.firstToken != rhs.firstToken ? lhs.firstToken < rhs.firstToken : lhs.lastToken > rhs.lastToken
    }
    // The kept ones moved to the front of the sorted copy, which is returned cut: a new array
    // for them grew through allocations of its own.
    var keptCount = 0
    var nextFree = 0
    for index in sorted.indices where sorted[index].firstToken >= nextFree {
        nextFree = sorted[index].lastToken + 1
        sorted[keptCount] = sorted[index]
        keptCount += 1
    }
    return sorted[..<keptCount]
}

extension String {
    func trimmingWhitespace() -> String {
        // Most strings have nothing to trim, and saying so needs only their first and last bytes.
        if let first = utf8.first, let last = utf8.last, first > 0x20, first < 0x80, last > 0x20, last < 0x80 {
            return self
        }
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
