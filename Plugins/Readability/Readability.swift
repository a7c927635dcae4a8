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
        let words = text.tokens.filter { token in
            text.folded[Int(token.start)] >= 0x61 && text.folded[Int(token.start)] <= 0x7A
        }
        guard words.count >= minimumWords else { return nil }
        var sentences = 0
        var previousWasEnd = false
        for byte in text.folded {
            let isEnd = byte == UInt8(ascii: ".") || byte == UInt8(ascii: "!") || byte == UInt8(ascii: "?") || byte == 0x0A
            if isEnd && !previousWasEnd { sentences += 1 }
            previousWasEnd = isEnd
        }
        sentences = max(1, sentences)
        var syllables = 0
        for token in words { syllables += syllableCount(text.folded[Int(token.start)..<Int(token.end)]) }
        let wordsPerSentence = Double(words.count) / Double(sentences)
        let syllablesPerWord = Double(syllables) / Double(words.count)
        switch language {
        case "en": return 206.835 - 1.015 * wordsPerSentence - 84.6 * syllablesPerWord
        case "fr": return 207 - 1.015 * wordsPerSentence - 73.6 * syllablesPerWord
        default: return nil
        }
    }

    /// Vowels of the folded (accent-free, lower-case) text, as a byte lookup table.
    static let isVowel: [Bool] = (0..<256).map { "aeiouy".utf8.contains(UInt8($0)) }

    func syllableCount(_ word: ArraySlice<UInt8>) -> Int {
        var count = 0
        var previousVowel = false
        for byte in word {
            let vowel = Readability.isVowel[Int(byte)]
            if vowel && !previousVowel { count += 1 }
            previousVowel = vowel
        }
        if word.count > 2, word.last == UInt8(ascii: "e"), count > 1 { count -= 1 }
        return max(1, count)
    }
}
