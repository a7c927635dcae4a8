import CribleCore

/// Flags articles that are hard to read, with the Flesch reading-ease score for English and its
/// French adaptation by Kandel and Moles, so a desk can send dense copy back before it is published.
///
/// Both formulas weigh sentence length (words per sentence) and word length (syllables per word);
/// scores below 30 are "very difficult" on Flesch's scale, roughly academic prose. Texts under 100
/// words are not scored: the formulas mean little on a comment. Syllables are counted as groups of
/// vowels, less a silent final `e`, which is what the formulas were calibrated with.
public struct Readability: Classifier, LanguageDependentClassifier {
    public init(threshold: Double = 30, minimumWords: Int = 100) {
        self.threshold = threshold
        self.minimumWords = minimumWords
    }

    public static let label = "style/hard-to-read"
    public let threshold: Double
    public let minimumWords: Int

    public var descriptor: ClassifierDescriptor {
        let dense = String(repeating: "Considérant l'interopérabilité réglementaire intercommunautaire, les administrations décentralisées institutionnalisent systématiquement des procédures d'homologation particulièrement incompréhensibles pour les administrés insuffisamment informés. ", count: 6)
        let plain = String(repeating: "Le chat dort. Il fait beau. On va au parc. Les enfants jouent. Le soir tombe vite. ", count: 8)
        let denseEnglish = String(repeating: "Notwithstanding considerable institutional interdependencies, governmental administrations systematically operationalise extraordinarily complicated authorisation methodologies, disproportionately inconveniencing insufficiently informed organisations. ", count: 6)
        return ClassifierDescriptor(
            id: "readability",
            labels: [Readability.label],
            languages: ["fr", "en"],
            summary: "Flesch reading ease (English) and Kandel–Moles (French) below 30 on texts of 100 words or more.",
            examples: [
                ClassifierExample(dense, labels: [Readability.label], language: "fr"),
                ClassifierExample(denseEnglish, labels: [Readability.label], language: "en"),
                ClassifierExample(plain, labels: [], language: "fr"),
                ClassifierExample("Trop court pour être mesuré, même s'il est interminablement incompréhensible.", labels: [], language: "fr"),
            ])
    }

    public func classify(_ context: DocumentContext) throws -> [Evidence] {
        guard let score = readingEase(context.text, language: context.language.code), score < threshold else { return [] }
        // Below the threshold, the further below the surer: 0.6 at the threshold, 0.95 at 0.
        let weight = min(0.95, 0.6 + 0.35 * (threshold - score) / threshold)
        return [Evidence(ruleID: "readability.reading-ease", label: Readability.label, weight: weight,
                         hits: [Hit(spans: [])], source: .plugin(id: "readability"),
                         note: String(format: "reading ease %.0f (below %.0f)", score, threshold))]
    }

    /// The reading-ease score, or `nil` when the text is too short or the language has no formula.
    public func readingEase(_ text: TextView, language: String) -> Double? {
        let syllablesPerWordWeight: Double
        switch language {
        case "en": syllablesPerWordWeight = 84.6
        case "fr": syllablesPerWordWeight = 73.6
        default: return nil
        }
        // Words are tokens: a comment with fewer tokens than the minimum is not read at all.
        guard text.tokens.count >= minimumWords else { return nil }
        let folded = text.folded
        let (runStarts, sentences) = Readability.vowelRunStarts(in: folded)
        // A word's syllables are the vowel runs that start within it, less a silent final `e`,
        // and at least one. Summed over the words, that is every run start of the words, less
        // their silent `e`s, plus one for each word with none: every run start is in a token
        // (vowels are letters, and a token is a whole run of letters and digits, so the byte
        // before a token is never a letter and a vowel starting it starts a run), so the words'
        // run starts are the text's, less those of the few tokens that are not words (numbers).
        // Per token, only whether it holds none or several is needed, which its bits of the
        // bitmap tell without counting them: a count per token was a population count (a
        // dozen instructions on the default x86-64 target, which has no instruction for it) and
        // a table of counts per word of the bitmap to rank with.
        var words = 0
        var runsOutsideWords = 0, silentEndings = 0, wordsWithoutRuns = 0
        folded.withUnsafeBufferPointer { folded in
        runStarts.withUnsafeBufferPointer { bits in
        text.tokens.withUnsafeBufferPointer { tokens in
            for token in tokens {
                let start = Int(token.start), end = Int(token.end)
                let runs = Readability.bits(bits, from: start, to: end)
                guard folded[start] &- 0x61 < 26 else {
                    // Numbers, mostly: no vowel, nothing to take away.
                    if runs != 0 { runsOutsideWords &+= Readability.runCount(bits, from: start, to: end) }
                    continue
                }
                words &+= 1
                // Without a branch on each test (`&&` branches): whether a token is longer than
                // two bytes is a coin toss in French (`de`, `la`, `l'`), and the branch on it was
                // mispredicted once in three words.
                let isLong = end &- start > 2 ? 1 : 0
                let endsInE = folded[end &- 1] == UInt8(ascii: "e") ? 1 : 0
                let several = runs & (runs &- 1) != 0 ? 1 : 0
                silentEndings &+= isLong & endsInE & several
                wordsWithoutRuns &+= runs == 0 ? 1 : 0
            }
        }}}
        var allRuns = 0
        for word in runStarts { allRuns &+= word.nonzeroBitCount }
        let syllables = allRuns - runsOutsideWords - silentEndings + wordsWithoutRuns
        guard words >= minimumWords else { return nil }
        let wordsPerSentence = Double(words) / Double(max(1, sentences))
        let syllablesPerWord = Double(syllables) / Double(words)
        let base = language == "en" ? 206.835 : 207
        return base - 1.015 * wordsPerSentence - syllablesPerWordWeight * syllablesPerWord
    }

    /// The lanes holding `a e i o u y`, compared with constants (built per call from a string,
    /// the comparands were an array allocated for every document).
    @inline(__always)
    static func vowelLanes(_ vector: ByteVector) -> ByteVectorMask {
        (vector .== ByteVector(repeating: 0x61)) .| (vector .== ByteVector(repeating: 0x65)) .| (vector .== ByteVector(repeating: 0x69))
            .| (vector .== ByteVector(repeating: 0x6F)) .| (vector .== ByteVector(repeating: 0x75)) .| (vector .== ByteVector(repeating: 0x79))
    }

    /// The positions of folded text where a run of vowels (`aeiouy`) starts, as a bitmap, and the
    /// number of sentences: the runs of `. ! ?` and line feeds. None of these is ever inside a
    /// token, so counting them over the whole text counts those between tokens.
    static func vowelRunStarts(in folded: [UInt8]) -> ([UInt64], sentences: Int) {
        var bits = [UInt64](filledWith: 0, count: folded.count / 64 + 1)
        var sentences = 0
        folded.withUnsafeBufferPointer { bytes in
        bits.withUnsafeMutableBufferPointer { bits in
            let count = bytes.count
            var previousVowel: UInt64 = 0, previousEnd: UInt64 = 0  // bit 0: whether the byte before is one
            var offset = 0
            // Sixteen bytes at a time, each lane's class as one bit; a run starts where the bit
            // before is clear. The last block is padded with zeros, which are in neither class.
            while offset < count {
                let vector = bytes.zeroPaddedVector(at: offset)
                let vowel = UInt64(vowelLanes(vector).packedBits)
                let end = UInt64(vector.sentenceEndLanes.packedBits)
                bits[offset &>> 6] |= (vowel & ~(vowel &<< 1 | previousVowel)) &<< UInt64(offset & 63)
                sentences &+= (end & ~(end &<< 1 | previousEnd)).nonzeroBitCount
                previousVowel = vowel &>> 15
                previousEnd = end &>> 15
                offset += 16
            }
        }}
        return (bits, sentences)
    }
}

extension Readability {
    /// The bits `start ..< end` of `bits` (at most the bitmap's size), from bit 0 up, when
    /// they are 64 or fewer; for a longer token, whether it has none, one or several set
    /// (0, 1 or 3), which is all ``readingEase(_:language:)`` asks of it.
    @inline(__always)
    static func bits(_ bits: UnsafeBufferPointer<UInt64>, from start: Int, to end: Int) -> UInt64 {
        let length = end &- start
        guard length <= 57 else {
            let count = runCount(bits, from: start, to: end)
            return count == 0 ? 0 : count == 1 ? 1 : 3
        }
        // Two words read when the range crosses into the next one; a range that ends in the
        // bitmap's last word reads no word beyond it.
        let offset = start & 63
        let word = start &>> 6
        var value = bits[word] &>> UInt64(offset)
        if offset &+ length > 64 { value |= bits[word &+ 1] &<< UInt64(64 &- offset) }
        return value & ((1 &<< UInt64(length)) &- 1)
    }

    /// The number of bits set in `start ..< end` of `bits`.
    static func runCount(_ bits: UnsafeBufferPointer<UInt64>, from start: Int, to end: Int) -> Int {
        var count = 0
        for position in start..<end where bits[position &>> 6] & (1 &<< UInt64(position & 63)) != 0 { count += 1 }
        return count
    }
}
