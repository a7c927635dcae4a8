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
        // Tokens, bytes and the class table all through pointers, with vowels and sentence ends
        // told by one table read per byte: through a bit set and the token array's own checks,
        // this plugin cost as much as the language and personal-data plugins together.
        var words = 0, syllables = 0, sentences = 0
        Readability.byteClasses.withUnsafeBufferPointer { classes in
        text.folded.withUnsafeBufferPointer { folded in
        text.tokens.withUnsafeBufferPointer { tokens in
            // A sentence ends at the first of a run of `. ! ?` and line feeds. None of these is
            // ever inside a token, so the runs are counted in the gaps between tokens, most of
            // which are one space: reading every byte of the text again cost as much as the
            // syllables.
            @inline(__always) func countSentenceEnds(_ gap: Range<Int>) {
                var previousWasEnd = 0
                for index in gap {
                    let isEnd = Int(classes[Int(folded[index])] >> 1)
                    sentences &+= isEnd & (previousWasEnd ^ 1)
                    previousWasEnd = isEnd
                }
            }
            var gapStart = 0
            for token in tokens {
                let start = Int(token.start), end = Int(token.end)
                if start - gapStart != 1 || folded[gapStart] != 0x20 { countSentenceEnds(gapStart..<start) }
                gapStart = end
                guard folded[start] &- 0x61 < 26 else { continue }
                words += 1
                // Runs of vowels, counted with arithmetic (vowels and consonants alternate
                // unpredictably), less a silent final `e`.
                var count = 0
                var previousVowel = 0
                for index in start..<end {
                    let vowel = Int(classes[Int(folded[index])] & Readability.vowel)
                    count &+= vowel & (previousVowel ^ 1)
                    previousVowel = vowel
                }
                if end - start > 2, folded[end - 1] == UInt8(ascii: "e"), count > 1 { count -= 1 }
                syllables += max(1, count)
            }
            countSentenceEnds(gapStart..<folded.count)
        }}}
        guard words >= minimumWords else { return nil }
        sentences = max(1, sentences)
        let wordsPerSentence = Double(words) / Double(sentences)
        let syllablesPerWord = Double(syllables) / Double(words)
        let base = language == "en" ? 206.835 : 207
        return base - 1.015 * wordsPerSentence - syllablesPerWordWeight * syllablesPerWord
    }

    /// Per byte of folded (accent-free, lower-case) text: `vowel` for `aeiouy`, `sentenceEnd`
    /// (bit 1) for `. ! ?` and line feeds.
    static let vowel: UInt8 = 1
    static let sentenceEnd: UInt8 = 2
    static let byteClasses: [UInt8] = {
        var classes = [UInt8](repeating: 0, count: 256)
        for byte in "aeiouy".utf8 { classes[Int(byte)] |= vowel }
        for byte in ".!?\n".utf8 { classes[Int(byte)] |= sentenceEnd }
        return classes
    }()
}
