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
        // Per token, its syllables are the vowel runs that start within it: the runs before its
        // end less those before its start, with no loop over its bytes. Looping over each
        // token's bytes, the loop's exit at a different length every time was a mispredicted
        // branch per token, and this plugin cost as much as the language and personal-data
        // plugins together. Vowels are letters, and every letter is in a token: no run starts
        // between two tokens, so the runs before a token's start are those before the previous
        // token's end, and one rank per token is enough.
        var words = 0, syllables = 0
        var runsBefore = 0
        folded.withUnsafeBufferPointer { folded in
        text.tokens.withUnsafeBufferPointer { tokens in
            for token in tokens {
                let start = Int(token.start), end = Int(token.end)
                let runsBeforeStart = runsBefore
                runsBefore = runStarts.rank(end)
                guard folded[start] &- 0x61 < 26 else { continue }
                words &+= 1
                // The byte before a token is never a letter (a token is a whole run of letters
                // and digits), so a vowel starting the token starts a run in the bitmap.
                let count = runsBefore &- runsBeforeStart
                // Less a silent final `e`, counted without a branch (`&&` branches on each
                // test): whether a token is longer than two bytes is a coin toss in French
                // (`de`, `la`, `l'`), and the branch on it was mispredicted once in three words.
                let isLong = end &- start > 2 ? 1 : 0
                let endsInE = folded[end &- 1] == UInt8(ascii: "e") ? 1 : 0
                let several = count > 1 ? 1 : 0
                let counted = count &- (isLong & endsInE & several)
                syllables &+= counted > 1 ? counted : 1
            }
        }}
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
    static func vowelRunStarts(in folded: [UInt8]) -> (RankedBits, sentences: Int) {
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
        return (RankedBits(bits), sentences)
    }
}

/// A bitmap with the number of set bits before each of its words, so that the bits set before
/// any position are counted with two lookups and a population count.
struct RankedBits {
    private let words: [UInt64]
    private let before: [UInt32]

    init(_ words: [UInt64]) {
        self.words = words
        var before = [UInt32](filledWith: 0, count: words.count)
        var total: UInt32 = 0
        for index in words.indices {
            before[index] = total
            total &+= UInt32(words[index].nonzeroBitCount)
        }
        self.before = before
    }

    /// The set bits before `position` (at most the bitmap's size).
    @inline(__always)
    func rank(_ position: Int) -> Int {
        let word = position &>> 6
        let below = (UInt64(1) &<< UInt64(position & 63)) &- 1
        return Int(before[word]) &+ (words[word] & below).nonzeroBitCount
    }
}
