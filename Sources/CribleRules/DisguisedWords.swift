import CribleCore

/// Words written in disguise to slip past a filter, with signs among their letters (`f*ck`,
/// `sal*pe`, `bi**h`, `c*n`, `@sshole`, `$hit`), read back for the rules that ask for it
/// (`disguised: true`): their one-word keywords are compared with what each disguise stands for,
/// and a match counts as the keyword's, over the tokens of the disguised word. The rules' other
/// words, the proximity they need and the news reports they leave out apply as to the plain word.
///
/// A word is read back from a `*`, `@` or `$` inside it or opening it, found sixteen bytes at a
/// time: one to three `*` or `#` between two parts mask as many letters, compared with the
/// keywords of that length (two letters at least shown, at most half of the word masked); `@` is
/// a, `$` s, `!` i, `|` l; a digit in such a word stands for a letter too (`0` o, `1` i then l,
/// `3` e, `4` a, `5` s, `7` t). A match spans tokens, so the evidence of `@sshole` is its `sshole`.
/// Left out, for what they cost every text: digits alone (`c0nnard`,
/// which takes finding every digit and its token) and letters spelled out one by one
/// (`c o n n a r d`, a look at every token); both are in `docs/PERFORMANCE.md`.
struct DisguisedWords: Sendable {
    /// Each one-word keyword, folded, with the phrase entries (of the rule set's index) it is.
    private var words: [[UInt8]: [Int32]] = [:]
    /// Keywords ending in `*`, by their folded prefix, with their entries.
    private var prefixes: [[UInt8]: [Int32]] = [:]
    /// The lengths of those prefixes, shortest first: a word is looked up by its first bytes at
    /// each, not compared with every prefix.
    private var prefixLengths: [Int] = []

    var isEmpty: Bool { words.isEmpty && prefixes.isEmpty }

    /// The keyword `word` (folded, one token) of phrase entry `entry`.
    mutating func add(_ word: ArraySlice<UInt8>, isPrefix: Bool, entry: Int32) {
        if isPrefix {
            prefixes[Array(word), default: []].append(entry)
            if !prefixLengths.contains(word.count) { prefixLengths = (prefixLengths + [word.count]).sorted() }
        } else {
            words[Array(word), default: []].append(entry)
        }
    }

    /// What a byte between two parts of a disguised word stands for.
    private enum Sign { case none, letter(UInt8), mask }

    private static func sign(_ byte: UInt8) -> Sign {
        switch byte {
        case UInt8(ascii: "@"): .letter(UInt8(ascii: "a"))
        case UInt8(ascii: "$"): .letter(UInt8(ascii: "s"))
        case UInt8(ascii: "!"): .letter(UInt8(ascii: "i"))
        case UInt8(ascii: "|"): .letter(UInt8(ascii: "l"))
        case UInt8(ascii: "*"), UInt8(ascii: "#"): .mask
        default: .none
        }
    }

    /// The letter a digit stands for inside a disguised word (`1` as i; l is tried next).
    private static func letter(forDigit digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0"): UInt8(ascii: "o")
        case UInt8(ascii: "1"): UInt8(ascii: "i")
        case UInt8(ascii: "3"): UInt8(ascii: "e")
        case UInt8(ascii: "4"): UInt8(ascii: "a")
        case UInt8(ascii: "5"): UInt8(ascii: "s")
        case UInt8(ascii: "7"): UInt8(ascii: "t")
        default: nil
        }
    }

    /// Stands for a masked letter in a word being read back.
    private static let masked: UInt8 = 0

    /// The keyword matches of the disguised words of `text`, in token order.
    func matches(in text: TextView) -> [PhraseMatch] {
        guard !isEmpty, !text.tokens.isEmpty else { return [] }
        let tokens = text.tokens
        let folded = text.folded
        var found: [PhraseMatch] = []
        var next = 0
        for first in candidateStarts(tokens: tokens, folded: folded) where first >= next {
            guard let (word, last, masks, shown, ones) = read(from: first, tokens: tokens, folded: folded) else {
                next = first + 1
                continue
            }
            var entries = lookUp(word, masks: masks, shown: shown)
            if entries.isEmpty, !ones.isEmpty {
                var other = word
                for position in ones { other[position] = UInt8(ascii: "l") }
                entries = lookUp(other, masks: masks, shown: shown)
            }
            for entry in entries { found.append(PhraseMatch(entry: entry, firstToken: first, lastToken: last)) }
            next = last + 1
        }
        return found
    }

    /// The tokens next to a `*`, `@` or `$` (the token ending at it, else the one after it), in
    /// order: few in most texts, none in most, found sixteen bytes at a time.
    private func candidateStarts(tokens: [Token], folded: [UInt8]) -> [Int] {
        var starts: [Int] = []
        folded.withUnsafeBufferPointer { folded in
            var position = folded.firstIndex(ofAnyOf: (UInt8(ascii: "*"), UInt8(ascii: "@"), UInt8(ascii: "$")), from: 0)
            while position < folded.count {
                let before = tokens.lastIndex(withKeyAtMost: position) { Int($0.start) }
                if let before, Int(tokens[before].end) == position {
                    starts.append(before)
                } else if (before ?? -1) + 1 < tokens.count {
                    starts.append((before ?? -1) + 1)
                }
                position = folded.firstIndex(ofAnyOf: (UInt8(ascii: "*"), UInt8(ascii: "@"), UInt8(ascii: "$")), from: position + 1)
            }
        }
        return starts
    }

    /// The word that the tokens from `first` spell with the signs between them: its bytes (masked
    /// letters as ``masked``), its last token, how many letters are masked and shown, and where a
    /// `1` was read as i. `nil` when no sign joins or opens it, or a digit stands for no letter.
    private func read(from first: Int, tokens: [Token], folded: [UInt8])
        -> (word: [UInt8], last: Int, masks: Int, shown: Int, ones: [Int])? {
        var word: [UInt8] = []
        var masks = 0, shown = 0
        var ones: [Int] = []
        var signed = false
        // A sign opening the word (`@sshole`), after a space or at the start.
        let start = Int(tokens[first].start)
        if start >= 1, case .letter(let letter) = DisguisedWords.sign(folded[start - 1]),
           start == 1 || folded[start - 2] == UInt8(ascii: " ") {
            word.append(letter)
            signed = true
        }
        func append(_ index: Int) -> Bool {
            for byte in folded[Int(tokens[index].start)..<Int(tokens[index].end)] {
                if byte &- 48 < 10 {
                    guard let letter = DisguisedWords.letter(forDigit: byte) else { return false }
                    if byte == UInt8(ascii: "1") { ones.append(word.count) }
                    word.append(letter)
                } else {
                    word.append(byte)
                    shown += 1
                }
            }
            return true
        }
        guard append(first) else { return nil }
        var last = first
        while last + 1 < tokens.count {
            let gap = folded[Int(tokens[last].end)..<Int(tokens[last + 1].start)]
            guard (1...3).contains(gap.count) else { break }
            let signs = gap.map(DisguisedWords.sign)
            if signs.allSatisfy({ if case .mask = $0 { true } else { false } }) {
                word += repeatElement(DisguisedWords.masked, count: signs.count)
                masks += signs.count
            } else if signs.count == 1, case .letter(let letter) = signs[0] {
                word.append(letter)
            } else {
                break
            }
            signed = true
            guard append(last + 1) else { return nil }
            last += 1
        }
        guard signed else { return nil }
        return (word, last, masks, shown, ones)
    }

    /// The entries of the keywords `word` can be.
    private func lookUp(_ word: [UInt8], masks: Int, shown: Int) -> [Int32] {
        var entries: [Int32] = []
        if masks > 0 {
            guard shown >= 2, masks * 2 <= word.count else { return [] }
            for (keyword, ids) in words where keyword.count == word.count && DisguisedWords.fits(word, keyword) { entries += ids }
            for (prefix, ids) in prefixes where prefix.count <= word.count && DisguisedWords.fits(word.prefix(prefix.count), prefix) {
                entries += ids
            }
        } else {
            entries = words[word] ?? []
            for length in prefixLengths {
                guard length <= word.count else { break }
                if let ids = prefixes[Array(word.prefix(length))] { entries += ids }
            }
        }
        return entries.sorted()
    }

    /// Whether `word`, with masked letters, can be `keyword`.
    private static func fits(_ word: some Collection<UInt8>, _ keyword: [UInt8]) -> Bool {
        zip(word, keyword).allSatisfy { $0 == masked || $0 == $1 }
    }
}
