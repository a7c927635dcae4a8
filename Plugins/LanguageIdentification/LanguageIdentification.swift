import CribleCore

/// Identifies French, English, and a few neighbouring languages that must *not* be taken for
/// them, from function words.
///
/// Function words ("le", "de", "the", "of"…) make up a third to a half of running text in these
/// languages and almost never cross over, so counting them is fast (one hash lookup per token)
/// and accurate from a dozen words on. For short messages, frequent French and English words of
/// comments count too. Accented letters only French uses (é, è, ê, à, ç, œ) break
/// ties on very short texts. Neighbouring languages are included so that a Spanish or German
/// comment is reported as `es` or `de` rather than forced into French or English, which would let
/// French or English rules run on it.
public struct LanguageIdentification: LanguageIdentifier {
    public init() {}

    public var descriptor: ClassifierDescriptor {
        ClassifierDescriptor(
            id: "language",
            labels: ["lang/fr", "lang/en", "lang/und"],
            summary: "Identifies the language of a document (French, English, or another language) from function words.",
            examples: [
                ClassifierExample("Le gouvernement a présenté mardi son projet de loi sur l'intelligence artificielle.", labels: ["lang/fr"]),
                ClassifierExample("C’est la première fois qu’un tribunal se prononce sur ce point.", labels: ["lang/fr"]),
                ClassifierExample("The government presented its artificial intelligence bill on Tuesday.", labels: ["lang/en"]),
                ClassifierExample("I don't think this is what they wanted at all.", labels: ["lang/en"]),
                ClassifierExample("El gobierno presentó el martes su proyecto de ley sobre la inteligencia artificial.", labels: ["lang/und"]),
                ClassifierExample("Die Regierung hat am Dienstag ihren Gesetzentwurf vorgestellt.", labels: ["lang/und"]),
                ClassifierExample("12345 !!!", labels: ["lang/und"]),
                ClassifierExample("Deux journalistes arrêtés hier", labels: ["lang/fr"]),
                ClassifierExample("lol so happy today", labels: ["lang/en"]),
                ClassifierExample("merci, trop bien", labels: ["lang/fr"]),
                ClassifierExample("Hoy hace mucho calor en Madrid.", labels: ["lang/und"]),
            ])
    }

    public func identify(_ text: TextView) -> LanguageGuess {
        // Scores by language number, not in a dictionary keyed by language code: that cost two
        // string hashes per function word, more than finding the word.
        let languages = LanguageIdentification.languages
        let functionWords = LanguageIdentification.functionWords
        // Long documents are decided well before their end; cap the work.
        let counted = min(text.tokens.count, 400)
        var scores = text.folded.withUnsafeBufferPointer { folded in
            text.tokens.withUnsafeBufferPointer { tokens in
                functionWords.scores(UnsafeBufferPointer(rebasing: tokens.prefix(counted)), in: folded)
            }
        }
        // Letters with accents that French uses and English does not, in the first 4,000 bytes;
        // six are as good as more (half a point each, three at most), and a French article has
        // them within a few hundred bytes.
        let frenchLetters = text.original.withUnsafeBufferPointer {
            LanguageIdentification.frenchLetterCount(in: UnsafeBufferPointer(rebasing: $0.prefix(4001)),
                                                     upTo: LanguageIdentification.frenchLettersCounted)
        }
        scores[LanguageIdentification.french] += Double(frenchLetters) * 0.5
        // The best score, ties going to the first code in alphabetical order, and the next best.
        var best = 0
        for index in scores.indices where scores[index] > scores[best] { best = index }
        var second = 0.0
        for index in scores.indices where index != best { second = max(second, scores[index]) }
        let bestScore = scores[best]
        // Very short texts: two accented letters and nothing against them are enough.
        guard bestScore >= 1.5 || (bestScore >= 1 && second == 0) else { return .undetermined }
        let margin = (bestScore - second) / bestScore
        let coverage = min(1, bestScore / max(3, Double(counted) * 0.15))
        let confidence = max(0, min(1, 0.5 * margin + 0.5 * coverage))
        if bestScore - second < 1 { return LanguageGuess(code: "und", confidence: confidence) }
        return LanguageGuess(code: languages[best], confidence: (confidence * 100).rounded() / 100)
    }

    /// The second bytes of `é è ê à ç ô û î É À Ç` after their lead byte 0xC3.
    static let frenchSecondBytes: [UInt8] = [0xA9, 0xA8, 0xAA, 0xA0, 0xA7, 0xB4, 0xBB, 0xAE, 0x89, 0x80, 0x87]

    /// The most French letters that count (see ``identify(_:)``).
    static let frenchLettersCounted = 6

    /// How many of the letters of ``frenchSecondBytes`` `bytes` holds (both bytes within it), or
    /// `limit` when it holds that many or more: the scan stops there. Read to its end, the first
    /// 4,000 bytes of every article were a third of identifying its language.
    ///
    /// Sixteen lead bytes at a time, each compared with 0xC3 and the byte after it with the
    /// eleven second bytes: stopping at each accented letter, one every forty bytes or so, and
    /// telling which it was took a mispredicted branch or two each time.
    static func frenchLetterCount(in bytes: UnsafeBufferPointer<UInt8>, upTo limit: Int = .max) -> Int {
        var letters = 0
        var offset = 0
        let lead = ByteVector(repeating: 0xC3)
        // Past the end, the zeros of the last blocks are neither a lead nor a second byte.
        while offset < bytes.count, letters < limit {
            let leads = bytes.zeroPaddedVector(at: offset) .== lead
            letters &+= (leads .& frenchSecondLanes(bytes.zeroPaddedVector(at: offset + 1))).markedLaneCount
            offset += 16
        }
        return min(letters, limit)
    }

    /// The lanes holding one of ``frenchSecondBytes``, compared with constants (built per call
    /// from the list, the comparands were an array allocated for every document).
    @inline(__always)
    static func frenchSecondLanes(_ next: ByteVector) -> ByteVectorMask {
        let first = (next .== ByteVector(repeating: 0xA9)) .| (next .== ByteVector(repeating: 0xA8))
            .| (next .== ByteVector(repeating: 0xAA)) .| (next .== ByteVector(repeating: 0xA0))
        let second = (next .== ByteVector(repeating: 0xA7)) .| (next .== ByteVector(repeating: 0xB4))
            .| (next .== ByteVector(repeating: 0xBB)) .| (next .== ByteVector(repeating: 0xAE))
        let third = (next .== ByteVector(repeating: 0x89)) .| (next .== ByteVector(repeating: 0x80))
            .| (next .== ByteVector(repeating: 0x87))
        return first .| second .| third
    }

    /// The languages told apart, in alphabetical order (which breaks ties).
    static let languages = ["de", "en", "es", "fr", "it", "nl", "pt"]
    static let french = languages.firstIndex(of: "fr")!

    /// Frequent words of short messages in the two languages the rule packs are written for.
    /// A comment of four or five words ("lol that is so good", "merci, trop bien") may hold no
    /// function word, and an undetermined language keeps every language-gated rule from running
    /// on it. None of these is a word of the neighbouring languages ("bien" and "vas" are Spanish,
    /// "hier" and "hell" German, "dit" Dutch, "mal" Spanish and Portuguese: all left out).
    static let commonWords: [String: String] = [
        "en": "good great love like lol haha hahaha lmao omg wtf yay yeah yes wow oh thanks thank please sorry damn shit fuck fucking bitch stupid happy sad day today tonight night morning tomorrow yesterday time people new now back home need want get got getting go going gonna wanna know think really well much very too why how all out up off one some any every never always again still here only even most other first last way make made look feel hate right work school game watch im dont cant wont didnt doesnt thats ive youre",
        "fr": "trop faire faut va vais suis ai avez avons moi toi ca oui merci bonjour salut mdr ptdr jsuis jpp wsh chez quand pourquoi rien toujours jamais meme aujourd hui demain gens vie monde pays ville travail vraiment peu beaucoup veux veut peux fois deux trois nouveau nouvelle petit petite grand grande moins autre autres bon bonne quoi alors ici voila",
    ]

    /// Function words per language, folded (no accents), keyed by token hash.
    static let functionWords: FunctionWordTable = {
        let lists: [String: String] = [
            "fr": "le la les de des du un une et est sont dans pour par sur avec pas plus qui que qu ce cette ces il ils elle elles nous vous je tu on au aux ou mais donc car ne se sa son ses leur leurs lui y en etre ont avait etait fait comme aussi tres tout tous sans entre selon apres avant depuis encore deja cela ceci dont ete avoir peut",
            "en": "the of and to in is are was were that this these those it its for with on as by be been at from have has had not but or an which who they their them he she his her we our you your i my will would can could should there what when about into than also more just do does did don isn t s",
            "es": "el los las del una unos y es son en para por con que se su sus pero como mas este esta estos muy ya tambien fue ser hay sobre entre cuando donde lo al",
            "de": "der die das und ist sind ein eine einen nicht mit von zu den dem des auf fur sich auch wie aber oder noch nach bei wird wurde haben hat ich wir sie es im",
            "it": "il lo gli della delle dei di e che non per con una sono della nel nella degli anche come piu ma questo questa essere ha alla",
            "pt": "os as do da dos das um uma e que nao para com por em no na mais como mas foi ser tem seu sua pelo pela ao",
            "nl": "de het een en van is dat niet op te zijn met voor ook maar als er bij aan om dit wordt heeft door naar",
        ]
        // Words two languages share ("de", "en", "la", "in") count for both; the others decide.
        var words: [(language: Int, word: [UInt8])] = []
        for (language, list) in (lists.merging(commonWords) { $0 + " " + $1 }).sorted(by: { $0.key < $1.key }) {
            let number = languages.firstIndex(of: language)!
            for word in list.split(separator: " ") { words.append((number, Array(word.utf8))) }
        }
        return FunctionWordTable(words)
    }()
}

/// Function words keyed by their bytes: a word of eight bytes or fewer is one 64-bit number
/// (little-endian, zeros after it), and a token is looked up by loading its eight bytes and
/// clearing those after its end. With a table of token hashes, runs of entries and the bytes of
/// each compared, identifying a language took a quarter more instructions.
///
/// A lookup reads a fixed number of slots from the word's own, with no branch on what it finds:
/// whether a token is a function word is as unpredictable as the text, and a probe that stopped
/// at the first empty slot or the matching one mispredicted once or twice a token, more than the
/// rest of the lookup cost. The table is at most a quarter full and its hash the one of a few
/// that makes the longest run of slots shortest (three for the bundled lists). Slots do
/// not wrap around the table's end (the last word's run continues past it), so the slots read
/// are always the next few in memory.
struct FunctionWordTable: Sendable {
    /// Each slot's word (0: empty) and its languages (bit `n` for language `n`).
    private let keys: [UInt64]
    private let languageBits: [UInt8]
    private let multiplier: UInt64
    private let shift: UInt64
    /// How many slots from a word's own hold every word that hashes there.
    private let probeLength: Int
    /// For each set of languages, one added to each language's count: nine bits per language
    /// (at most 400 tokens are looked up), all counts in one number.
    private let increments: [UInt64]
    static let bitsPerLanguage: UInt64 = 9

    /// Multipliers tried for the slot hash; the one with the shortest longest run is kept.
    static let multipliers: [UInt64] = [0x9E37_79B9_7F4A_7C15, 0xFF51_AFD7_ED55_8CCD, 0xC4CE_B9FE_1A85_EC53,
                                        0xD6E8_FEB8_6659_FD93, 0xA076_1D64_78BD_642F, 0xE703_7ED1_A0B4_28DB]

    init(_ words: [(language: Int, word: [UInt8])]) {
        // Words longer than eight bytes are never looked up (tokens that long are skipped).
        let keyed = words.filter { (1...8).contains($0.word.count) }
        precondition(LanguageIdentification.languages.count * Int(FunctionWordTable.bitsPerLanguage) <= 64,
                     "a count per language in one 64-bit number")
        // At most a quarter full, so that runs stay short.
        var size = 64
        while size < keyed.count * 4 { size *= 2 }
        let shift = UInt64(64 - size.trailingZeroBitCount)
        var best: (keys: [UInt64], languageBits: [UInt8], multiplier: UInt64, probeLength: Int)?
        for multiplier in FunctionWordTable.multipliers {
            var keys = [UInt64](repeating: 0, count: size + keyed.count)
            var languageBits = [UInt8](repeating: 0, count: size + keyed.count)
            var probeLength = 1
            for (language, word) in keyed {
                let key = FunctionWordTable.key(word)
                let home = FunctionWordTable.slot(key, multiplier, shift)
                var index = home
                while keys[index] != 0, keys[index] != key { index += 1 }
                keys[index] = key
                languageBits[index] |= 1 << UInt8(language)
                probeLength = max(probeLength, index - home + 1)
            }
            if best == nil || probeLength < best!.probeLength { best = (keys, languageBits, multiplier, probeLength) }
        }
        let chosen = best!
        // Room to read `probeLength` slots from any slot of the table.
        keys = Array(chosen.keys.prefix(size + chosen.probeLength))
        languageBits = Array(chosen.languageBits.prefix(size + chosen.probeLength))
        multiplier = chosen.multiplier
        self.shift = shift
        probeLength = chosen.probeLength
        var increments = [UInt64](repeating: 0, count: 256)
        for bits in 0..<256 {
            for language in 0..<8 where bits >> language & 1 != 0 {
                increments[bits] |= UInt64(1) << (UInt64(language) * FunctionWordTable.bitsPerLanguage)
            }
        }
        self.increments = increments
    }

    static func key(_ word: [UInt8]) -> UInt64 {
        word.enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
    }

    @inline(__always)
    static func slot(_ key: UInt64, _ multiplier: UInt64, _ shift: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* multiplier) &>> shift)
    }

    /// One per language (in ``LanguageIdentification/languages`` order): how many of `tokens`
    /// (of eight bytes or fewer; at most 511) are words of that language.
    func scores(_ tokens: UnsafeBufferPointer<Token>, in folded: UnsafeBufferPointer<UInt8>) -> [Double] {
        precondition(tokens.count < 1 << FunctionWordTable.bitsPerLanguage, "counts that fit their bits")
        var counts: UInt64 = 0
        let probeLength = self.probeLength, multiplier = self.multiplier, shift = self.shift
        keys.withUnsafeBufferPointer { keys in
        languageBits.withUnsafeBufferPointer { languageBits in
        increments.withUnsafeBufferPointer { increments in
            for token in tokens {
                let length = UInt64(token.length)
                let bytes = folded.word(at: Int(token.start))
                // Longer tokens get a key no word has: eight bytes 0xFF are not UTF-8.
                let key = length > 8 ? ~0 : bytes & lowBytesMask(Int(length))
                let home = FunctionWordTable.slot(key, multiplier, shift)
                var found: UInt8 = 0
                for offset in 0..<probeLength {
                    // All ones when the slot holds the key, computed rather than branched on.
                    let difference = keys[home &+ offset] ^ key
                    let same = UInt8(truncatingIfNeeded: ((difference | (0 &- difference)) &>> 63) &- 1)
                    found |= languageBits[home &+ offset] & same
                }
                counts &+= increments[Int(found)]
            }
        }}}
        let mask: UInt64 = (1 << FunctionWordTable.bitsPerLanguage) - 1
        return LanguageIdentification.languages.indices.map {
            Double((counts >> (UInt64($0) * FunctionWordTable.bitsPerLanguage)) & mask)
        }
    }
}
