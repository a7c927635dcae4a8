import CribleCore

/// Signals of unsolicited promotion and scams that word lists miss: links, shouting, runs of
/// punctuation, money amounts, and words disguised to slip past filters (`fr3e`, `c.a.s.i.n.o`,
/// Cyrillic letters inside a Latin word).
///
/// Each signal alone is weak evidence (a link in a comment is often fine); together, through the
/// scorer's noisy-OR, they make a spam comment stand out. Disguised words are the strongest signal:
/// nobody writes `v1agra` by accident.
public struct SpamSignals: Classifier {
    public init() {}

    public static let label = "moderation/spam-scam"

    public var descriptor: ClassifierDescriptor {
        ClassifierDescriptor(
            id: "spam-signals",
            labels: [SpamSignals.label],
            summary: "Links, capitals, repeated punctuation, money amounts and disguised words (l33t, separators, look-alike letters).",
            examples: [
                ClassifierExample("Cheap ↓v1agra↓ here", labels: [SpamSignals.label]),
                ClassifierExample("Gagnez au ↓c.a.s.i.n.o↓ ce soir", labels: [SpamSignals.label]),
                ClassifierExample("Best ↓сasino↓ bonus", labels: [SpamSignals.label]),
                ClassifierExample("Earn ↓$4,800↓ a week↓!!!↓ Go to ↓https://gains.example/join↓ now↓!!!↓",
                                  labels: [SpamSignals.label]),
                ClassifierExample("↓CLIQUEZ ICI POUR RECEVOIR VOTRE CADEAU GRATUIT MAINTENANT↓", labels: [SpamSignals.label]),
                ClassifierExample("Le rapport est en ligne sur le site de l'Arcep.", labels: []),
                ClassifierExample("I scored 3 goals in 2 games, not bad for a 40-year-old.", labels: []),
                ClassifierExample("La NASA et l'ESA ont signé un accord.", labels: []),
            ])
    }

    public func classify(_ context: DocumentContext) throws -> [Evidence] {
        let text = context.text
        let bytes = text.original
        var evidence: [Evidence] = []
        // The note is only written for a signal that fired: formatting it for every document
        // cost more than some of the scans.
        func add(_ id: String, _ weight: Double, _ spans: [Range<Int>], _ note: @autoclosure () -> String) {
            guard !spans.isEmpty else { return }
            evidence.append(Evidence(ruleID: id, label: SpamSignals.label, weight: weight, hits: spans.map { Hit($0) },
                                     source: .plugin(id: "spam-signals"), note: note()))
        }
        // Link density: one link in a long article is a citation; links making up a comment are a pitch.
        let links = linkSpans(bytes)
        let words = max(1, text.tokens.count)
        let perHundredWords = Double(links.count) * 100 / Double(words)
        let linkWeight = perHundredWords >= 5 ? 0.45 : perHundredWords >= 1 ? 0.3 : 0.15
        add("spam.links", linkWeight, links, String(format: "%d link%@, %.1f per 100 words", links.count, links.count == 1 ? "" : "s", perHundredWords))
        add("spam.money", 0.2, moneySpans(bytes), "money amount")
        add("spam.punctuation", 0.2, repeatedPunctuation(bytes), "repeated ! ? or $")
        add("spam.disguised-words", 0.6, disguisedWords(text), "word disguised with digits, separators or look-alike letters")
        if let shouting = shoutingSpan(bytes) { add("spam.shouting", 0.35, [shouting], "written in capitals") }
        return evidence
    }

    // MARK: Links

    func linkSpans(_ bytes: [UInt8]) -> [Range<Int>] {
        var spans: [Range<Int>] = []
        let linkFirstBytes = SpamSignals.linkFirstBytes
        bytes.withUnsafeBufferPointer { buffer in
            var index = 0
            while true {
                // Only where a link can start is it looked for: the text between is skipped eight
                // bytes at a time.
                index = buffer.firstIndex(ofAnyOf: linkFirstBytes, from: index)
                guard index < bytes.count else { break }
                guard let prefix = SpamSignals.linkStarts.first(where: { bytes.hasBytes($0, at: index) }),
                      index == 0 || !isWordByte(bytes[index - 1]) else {
                    index += 1
                    continue
                }
                var end = index + prefix.count
                while end < bytes.count, bytes[end] > 0x20, !SpamSignals.linkEnders.contains(bytes[end]) { end += 1 }
                while end > index + prefix.count, SpamSignals.trailingPunctuation.contains(bytes[end - 1]) { end -= 1 }
                if end > index + prefix.count + 3 { spans.append(index..<end) }
                index = end
            }
        }
        return spans
    }

    // MARK: Money

    /// `$4,800`, `4 800 €`, `500 euros`, `£20`.
    func moneySpans(_ bytes: [UInt8]) -> [Range<Int>] {
        var spans: [Range<Int>] = []
        let symbols = SpamSignals.currencySymbols
        var index = 0
        while index < bytes.count {
            // Only a digit or a currency sign starts an amount: the text between them is skipped
            // sixteen bytes at a time.
            index = bytes.withUnsafeBufferPointer { SpamSignals.nextPossibleAmount(in: $0, from: index) }
            guard index < bytes.count else { break }
            if !isDigit(bytes[index]) {
                if let symbol = symbols.first(where: { bytes.hasBytes($0, at: index) }),
                   index + symbol.count < bytes.count, isDigit(bytes[index + symbol.count]) {
                    let end = numberEnd(bytes, from: index + symbol.count)
                    spans.append(index..<end)
                    index = end
                    continue
                }
            }
            if isDigit(bytes[index]), index == 0 || !isWordByte(bytes[index - 1]) {
                let end = numberEnd(bytes, from: index)
                var after = end
                while after < bytes.count, bytes[after] == 0x20 { after += 1 }
                if let symbol = symbols.first(where: { bytes.hasBytes($0, at: after) }) {
                    spans.append(index..<(after + symbol.count))
                    index = after + symbol.count
                    continue
                }
                for word in SpamSignals.currencyWords where bytes.hasBytes(word, at: after) {
                    let wordEnd = after + word.count
                    if wordEnd == bytes.count || !isWordByte(bytes[wordEnd]) {
                        spans.append(index..<wordEnd)
                        break
                    }
                }
                index = max(end, index + 1)
                continue
            }
            index += 1
        }
        return spans
    }

    func numberEnd(_ bytes: [UInt8], from start: Int) -> Int {
        var end = start
        while end < bytes.count {
            if isDigit(bytes[end]) { end += 1; continue }
            if SpamSignals.digitGroupSeparators.contains(bytes[end]), end + 1 < bytes.count, isDigit(bytes[end + 1]), end > start { end += 1; continue }
            break
        }
        return end
    }

    // MARK: Punctuation and capitals

    func repeatedPunctuation(_ bytes: [UInt8]) -> [Range<Int>] {
        // The set is read once, not through its lazy global at every byte: that made this scan
        // of `!?$` cost a tenth of classifying. Runs are found sixteen bytes at a time.
        let emphasis = SpamSignals.emphasis, emphasisBytes = SpamSignals.emphasisBytes
        var spans: [Range<Int>] = []
        bytes.withUnsafeBufferPointer { bytes in
            var index = 0
            while true {
                index = bytes.firstIndex(ofAnyOf: emphasisBytes, from: index)
                guard index < bytes.count else { break }
                var end = index
                while end < bytes.count, emphasis.contains(bytes[end]) { end += 1 }
                if end - index >= 3 { spans.append(index..<end) }
                index = end
            }
        }
        return spans
    }

    /// The whole text when it is mostly capitals (at least 20 letters, 70 % upper case).
    func shoutingSpan(_ bytes: [UInt8]) -> Range<Int>? {
        func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) &- 97 < 26 }
        // Settled once capitals could no longer reach 70 % of the letters (3 × upper < 7 × lower).
        let (upper, lower) = bytes.withUnsafeBufferPointer {
            asciiLetterCounts(in: $0) { upper, lower, remaining in 3 * (upper + remaining) < 7 * lower }
        }
        let letters = upper + lower
        guard letters >= 20, Double(upper) / Double(letters) >= 0.7,
              let first = bytes.firstIndex(where: isLetter), let last = bytes.lastIndex(where: isLetter) else { return nil }
        return first..<(last + 1)
    }

    // MARK: Disguised words

    /// Words that, once digits, separators and look-alike letters are undone, spell a spam word
    /// while not being written plainly.
    func disguisedWords(_ text: TextView) -> [Range<Int>] {
        var spans: [Range<Int>] = []
        let trailers = SpamSignals.chunkTrailers, leaders = SpamSignals.chunkLeaders
        let disguiseBytes = SpamSignals.disguiseBytes
        text.original.withUnsafeBufferPointer { bytes in
            // Only digits, `@ $`, separators or Cyrillic and Greek letters can disguise a word:
            // chunks of plain letters, accents and apostrophes are never delimited.
            bytes.forEachChunk(containing: disguiseBytes) { chunk, firstDisguise in
                var chunkStart = chunk.lowerBound, chunkEnd = chunk.upperBound
                // Trim sentence punctuation around the chunk.
                while chunkEnd > chunkStart, trailers.contains(bytes[chunkEnd - 1]) { chunkEnd -= 1 }
                while chunkStart < chunkEnd, leaders.contains(bytes[chunkStart]) { chunkStart += 1 }
                // Trailing full stops end sentences; alone they never make a disguise (a word
                // needs a separator between every letter), so they are not a reason to decode.
                // Leaders and trailers are no disguise bytes, so the chunk has one before its
                // full stops exactly when its first one is before them.
                var checkedEnd = chunkEnd
                while checkedEnd > chunkStart, bytes[checkedEnd - 1] == UInt8(ascii: ".") { checkedEnd -= 1 }
                // A disguised word keeps at least two letters (ASCII, or non-ASCII look-alikes):
                // numbers such as `2024` or `3,5`, most of what this finds in news, need no decoding.
                func possibleLetters() -> Int {
                    bytes[chunkStart..<chunkEnd].reduce(0) { $0 + ((($1 | 0x20) &- 97 < 26 || $1 >= 0x80) ? 1 : 0) }
                }
                if firstDisguise < checkedEnd, chunkEnd - chunkStart >= 4, chunkEnd - chunkStart <= 40, possibleLetters() >= 2,
                   SpamSignals.mayDecode(bytes[chunkStart..<chunkEnd]),
                   isDisguisedVocabularyWord(bytes[chunkStart..<chunkEnd]) {
                    spans.append(chunkStart..<chunkEnd)
                }
            }
        }
        return spans
    }

    /// Whether ``undisguise(_:)`` can return a word for these bytes, told from the bytes alone:
    /// most chunks it is asked about in news are hyphenated words (`peut-être`, `Saint-Denis`),
    /// which it builds a string for only to refuse them, and that was a fifth of this plugin.
    /// It answers `false` only where `undisguise` returns `nil`: an ASCII byte that is neither
    /// a letter, a look-alike digit or sign, nor a separator; or fewer separators than the word
    /// has letters, less one. Every non-ASCII character is counted as if it could join its
    /// neighbour into one character, so the letter count stays a lower bound.
    static func mayDecode(_ chunk: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        var letters = 0, separators = 0, nonASCII = 0
        let leetBytes = SpamSignals.leetBytes, separatorBytes = SpamSignals.separatorBytes
        for byte in chunk {
            if byte >= 0xC0 {
                nonASCII += 1
            } else if byte >= 0x80 {
                continue
            } else if (byte | 0x20) &- 0x61 < 26 || leetBytes.contains(byte) {
                letters += 1
            } else if separatorBytes.contains(byte) {
                separators += 1
            } else {
                return false
            }
        }
        return separators == 0 || separators >= letters - nonASCII - 1
    }

    /// Whether the chunk is a word of ``vocabulary`` that had to be undone (``undisguise(_:)``
    /// gives it, with `wasDisguised`). A chunk of ASCII is decoded on its bytes: an `@handle`
    /// or a word with a digit in every other comment was decoded through strings, characters and
    /// dictionaries only to be refused, a twentieth of classifying a tweet. Others (with
    /// Cyrillic or Greek look-alikes) go through `undisguise`.
    func isDisguisedVocabularyWord(_ chunk: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        guard chunk.allSatisfy({ $0 < 0x80 }) else {
            guard let decoded = undisguise(Array(chunk)) else { return false }
            return decoded.wasDisguised && SpamSignals.vocabulary.contains(decoded.word)
        }
        // The decoded word, a byte each, packed little-endian: no word of the vocabulary is longer
        // than a UInt128 holds, so a longer one is not in it.
        var word: UInt128 = 0
        var length = 0, letters = 0, separators = 0
        var disguised = false
        for byte in chunk {
            var plain = byte
            if let replacement = SpamSignals.leetBytesToLetters[Int(byte)], length > 0 || byte != UInt8(ascii: "$") {
                plain = replacement
                disguised = true
            } else if (byte | 0x20) &- 0x61 < 26 {
                plain = byte | 0x20
                letters += 1
            } else if SpamSignals.separatorBytes.contains(byte) {
                separators += 1
                continue
            } else {
                return false
            }
            guard length < 16 else { return false }
            word |= UInt128(plain) << (8 * length)
            length += 1
        }
        if separators > 0 {
            guard separators >= length - 1, length >= 4 else { return false }
            disguised = true
        }
        guard letters >= 2, length >= 4 else { return false }
        return disguised && SpamSignals.packedVocabulary.contains(word)
    }

    /// ``leet``'s replacements by byte (`nil` for the other bytes).
    static let leetBytesToLetters: [UInt8?] = (0..<256).map { byte in
        leet[Character(Unicode.Scalar(UInt8(byte)))].map { $0.asciiValue! }
    }
    /// ``vocabulary``'s words packed as ``isDisguisedVocabularyWord(_:)`` packs a decoded word.
    static let packedVocabulary: Set<UInt128> = Set(vocabulary.map { word in
        word.utf8.enumerated().reduce(UInt128(0)) { $0 | UInt128($1.element) << (8 * $1.offset) }
    })

    /// The plain lower-case word behind a chunk, and whether anything had to be undone.
    func undisguise(_ chunk: [UInt8]) -> (word: String, wasDisguised: Bool)? {
        let string = String(decoding: chunk, as: UTF8.self)
        var word = ""
        var disguised = false
        var letters = 0
        var separators = 0
        for scalar in string.unicodeScalars {
            if let plain = SpamSignals.lookAlikes[scalar] {
                word.append(plain)
                disguised = true
                letters += 1
            } else if scalar.isASCII, let replacement = SpamSignals.leet[Character(scalar)], !word.isEmpty || scalar != "$" {
                word.append(replacement)
                disguised = true
            } else if scalar.properties.isAlphabetic {
                word += String(scalar).lowercased()
                letters += 1
            } else if scalar.isASCII, SpamSignals.separatorBytes.contains(UInt8(scalar.value)) {
                separators += 1
            } else {
                return nil
            }
        }
        // Separators only count as a disguise when they split the word letter by letter (c.a.s.i.n.o).
        if separators > 0 {
            guard separators >= word.count - 1, word.count >= 4 else { return nil }
            disguised = true
        }
        guard letters >= 2, word.count >= 4 else { return nil }
        return (word, disguised)
    }

    static let linkStarts = [Array("https://".utf8), Array("http://".utf8), Array("www.".utf8)]
    /// The first byte of each of `linkStarts`, for the eight-bytes-at-a-time search.
    static let linkFirstBytes = (linkStarts[0][0], linkStarts[1][0], linkStarts[2][0])
    static let linkEnders = ByteSet("<>\"'()[]{}")
    static let trailingPunctuation = ByteSet(".,;:!?")
    static let currencySymbols = [Array("$".utf8), Array("€".utf8), Array("£".utf8)]

    /// The first position from `start` holding a digit or the first two bytes of one of
    /// ``currencySymbols`` (`$`, `€`, `£`), or the end. The lead bytes of `€` and `£` also start
    /// `’`, `«`, `»`, `…` and no-break spaces, which French text is full of: compared with the
    /// next byte too, they are passed over with the rest.
    static func nextPossibleAmount(in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        bytes.firstIndex(from: start) { offset in
            let here = bytes.zeroPaddedVector(at: offset), next = bytes.zeroPaddedVector(at: offset + 1)
            let euro = (here .== ByteVector(repeating: 0xE2)) .& (next .== ByteVector(repeating: 0x82))
            let pound = (here .== ByteVector(repeating: 0xC2)) .& (next .== ByteVector(repeating: 0xA3))
            return here.lanes(in: 0x30...0x39) .| (here .== ByteVector(repeating: 0x24)) .| euro .| pound
        }
    }
    static let currencyWords = ["euros", "euro", "dollars", "dollar"].map { Array($0.utf8) }
    static let digitGroupSeparators = ByteSet(",. ")
    /// The bytes whose runs `repeatedPunctuation` reports: searched for sixteen bytes at a time, then
    /// a run's extent read through the set.
    static let emphasisBytes = (UInt8(ascii: "!"), UInt8(ascii: "?"), UInt8(ascii: "$"))
    static let emphasis: ByteSet = {
        var set = ByteSet()
        for byte in [emphasisBytes.0, emphasisBytes.1, emphasisBytes.2] { set.insert(byte) }
        return set
    }()
    static let chunkTrailers = ByteSet(",;:!?\"')")
    static let chunkLeaders = ByteSet("\"'(")
    /// Digits, `@ $`, separators, and the lead bytes of Cyrillic and Greek letters.
    static let disguiseBytes: ByteSet = {
        var set = ByteSet("0123456789@$._*|-")
        for lead: UInt8 in 0xCE...0xD1 { set.insert(lead) }
        return set
    }()

    static let leet: [Character: Character] = ["0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"]
    /// The keys of `leet` and the separators of a letter-by-letter disguise (`c.a.s.i.n.o`), as
    /// bytes: one definition for the decoder and for the byte check before it.
    static let leetBytes = ByteSet(String(leet.keys))
    static let separatorBytes = ByteSet(".-_*|")

    /// Cyrillic and Greek letters that look like Latin ones.
    static let lookAlikes: [Unicode.Scalar: Character] = [
        "\u{0430}": "a", "\u{0435}": "e", "\u{043E}": "o", "\u{0440}": "p", "\u{0441}": "c", "\u{0443}": "y",
        "\u{0445}": "x", "\u{0456}": "i", "\u{0455}": "s", "\u{0410}": "a", "\u{0415}": "e", "\u{041E}": "o",
        "\u{0420}": "p", "\u{0421}": "c", "\u{03BF}": "o", "\u{03B1}": "a", "\u{03B5}": "e", "\u{039F}": "o",
    ]

    static let vocabulary: Set<String> = [
        "viagra", "cialis", "casino", "poker", "crypto", "bitcoin", "forex", "loan", "loans", "credit", "prize",
        "winner", "free", "gratuit", "gratuite", "cadeau", "bonus", "promo", "click", "cliquez", "offer", "offre",
        "cash", "money", "argent", "gagnez", "gagner", "sexy", "porn", "porno", "dating", "rencontre", "pills",
        "pharmacy", "pharmacie", "investment", "invest", "profit", "profits", "jackpot", "lottery", "loterie",
    ]

    func isDigit(_ byte: UInt8) -> Bool { (48...57).contains(byte) }
    func isWordByte(_ byte: UInt8) -> Bool { isDigit(byte) || (65...90).contains(byte) || (97...122).contains(byte) || byte >= 0x80 }
}
