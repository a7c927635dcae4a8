import CribleCore

/// The merged sentiment lexicon of one language, ready for the sentiment analyzer.
///
/// A class, though nothing in it changes: as a structure of a dozen tables and lists, each
/// copy (out of the rule set's dictionary, into a closure, for a partial application) retained
/// and released every one of them, some forty copies a document.
public final class CompiledLexicon: Sendable {
    public struct Valence: Sendable {
        public let value: Double
        public let lexiconID: String
        /// Whether a word of ``negatorAfterHashes`` right after the term negates it: the term's
        /// file lists such words (`negators_after`, its verbs).
        public let negatedByFollowing: Bool
    }

    /// What a lexicon phrase is: a term with a valence, a booster (a dampener when negative), or
    /// the opening of a concession.
    public enum Term: Sendable {
        case valence(Valence)
        case booster(Double)
        case concession
    }

    public let language: String
    /// Valence terms (emoji included: each is a token), then boosters, then concessive phrases,
    /// in one index: a document's tokens are scanned once for all three. Entries below
    /// ``valenceCount`` are the valence terms, entries from ``concessionStart`` the concessions.
    public let terms: PhraseIndex<Term>
    public let valenceCount: Int
    public let concessionStart: Int
    /// Emoticons and other terms without letters, matched as whitespace-separated symbols.
    public let symbols: [String: Valence]
    /// One byte of each symbol term, the rarest in prose (see ``rarestByte(of:)``): a
    /// whitespace-separated chunk without any of them cannot be a symbol term, so it is not
    /// looked up.
    public let symbolBytes: ByteSet
    /// The symbol terms by the hash of their folded bytes (see `Tokenizer.hash`): a chunk of
    /// text is hashed and looked up here before a string is made of it, since most chunks with
    /// a symbol byte (`l'IA`, `2024-2025`, `:`) are no emoticon.
    public let symbolHashes: TokenTable<Bool>
    /// Negators and contrast words by token hash (see `Tokenizer.hash`), so the
    /// analyzer checks a token without copying its bytes.
    public let negatorHashes: TokenTable<Bool>
    /// Words that negate a term right before them, for the terms whose file lists them.
    public let negatorAfterHashes: TokenTable<Bool>
    public let contrastHashes: TokenTable<Bool>
    /// Bit `hash % 64` set for every contrast word: every token is checked for being one, and
    /// this answers "no" for most of them before the table is read.
    public let contrastMask: UInt64
    public let lexiconIDs: [String]
    /// Every lexicon file of this language, with its examples, for the example runner.
    public let definitions: [LexiconDefinition]

    public var entryCount: Int { valenceCount + symbols.count }

    init(language: String, terms: PhraseIndex<Term>, valenceCount: Int, concessionStart: Int, symbols: [String: Valence],
         symbolBytes: ByteSet, symbolHashes: TokenTable<Bool>, negatorHashes: TokenTable<Bool>,
         negatorAfterHashes: TokenTable<Bool>,
         contrastHashes: TokenTable<Bool>, contrastMask: UInt64, lexiconIDs: [String], definitions: [LexiconDefinition]) {
        self.language = language
        self.terms = terms
        self.valenceCount = valenceCount
        self.concessionStart = concessionStart
        self.symbols = symbols
        self.symbolBytes = symbolBytes
        self.symbolHashes = symbolHashes
        self.negatorHashes = negatorHashes
        self.negatorAfterHashes = negatorAfterHashes
        self.contrastHashes = contrastHashes
        self.contrastMask = contrastMask
        self.lexiconIDs = lexiconIDs
        self.definitions = definitions
    }

    /// Every valence term, booster and concessive phrase in the text, in one pass over its tokens,
    /// each list in token order (here rather than at the call site so that the matcher is
    /// specialised for this payload inside this module).
    public func termMatches(in text: TextView) -> (valences: [PhraseMatch], boosters: [PhraseMatch], concessions: [PhraseMatch]) {
        termMatches(from: terms.matches(in: text))
    }

    /// ``termMatches(in:)`` from the matches of ``terms`` found already (by a ``PhraseSearch``
    /// that walked the text for the rules too).
    public func termMatches(from all: [PhraseMatch]) -> (valences: [PhraseMatch], boosters: [PhraseMatch], concessions: [PhraseMatch]) {
        var valences: [PhraseMatch] = []
        var boosters: [PhraseMatch] = []
        var concessions: [PhraseMatch] = []
        // Counted first, so that each list is allocated once at its size (the boosters and
        // concessions grew through three copies a document).
        var valenceTotal = 0, boosterTotal = 0
        for match in all {
            let entry = Int(match.entry)
            if entry < valenceCount { valenceTotal += 1 } else if entry < concessionStart { boosterTotal += 1 }
        }
        valences.reserveCapacity(valenceTotal)
        boosters.reserveCapacity(boosterTotal)
        concessions.reserveCapacity(all.count - valenceTotal - boosterTotal)
        for match in all {
            let entry = Int(match.entry)
            if entry < valenceCount {
                valences.append(match)
            } else if entry < concessionStart {
                boosters.append(match)
            } else {
                concessions.append(match)
            }
        }
        return (valences, boosters, concessions)
    }

    /// The valence of a match from ``termMatches(in:)``'s valence list.
    public func valence(of match: PhraseMatch) -> Valence {
        guard case .valence(let valence) = terms.payload(of: match) else { preconditionFailure("not a valence term") }
        return valence
    }

    /// The value of a match from ``termMatches(in:)``'s booster list.
    public func booster(of match: PhraseMatch) -> Double {
        guard case .booster(let value) = terms.payload(of: match) else { preconditionFailure("not a booster") }
        return value
    }

    /// Merges the lexicon files of one language. Later files override earlier ones for the same
    /// term, which is how a user's own lexicon adjusts a bundled valence.
    static func build(language: String, definitions: [LexiconDefinition]) -> (CompiledLexicon, [Diagnostic]) {
        var diagnostics: [Diagnostic] = []
        // Terms that fold to the same words are one entry ("coup de cœur", "coup de coeur"), found
        // by the phrase's hash and confirmed on its tokens: no key is built per entry.
        var entries: [(phrase: Phrase, valence: Valence, location: SourceLocation)] = []
        var entryByTerm: [SameWords: Int] = [:]
        // Sized once: growing it entry by entry rehashed every key several times.
        let entryCount = definitions.reduce(0) { $0 + $1.valences.count }
        entryByTerm.reserveCapacity(entryCount)
        entries.reserveCapacity(entryCount)
        var symbols: [String: Valence] = [:]
        for definition in definitions {
            for entry in definition.valences {
                let valence = Valence(value: entry.value.value, lexiconID: definition.id,
                                      negatedByFollowing: !definition.negatorsAfter.isEmpty)
                guard !isSymbolTerm(entry.value.term), let phrase = Phrase(entry.value.term) else {
                    symbols[TextView(entry.value.term).foldedString.trimmingWhitespace()] = valence
                    continue
                }
                let key = SameWords(phrase)
                guard let index = entryByTerm[key] else {
                    entryByTerm[key] = entries.count
                    entries.append((phrase, valence, entry.location))
                    continue
                }
                let previous = entries[index]
                if previous.location.file == entry.location.file {
                    diagnostics.append(Diagnostic(.warning, "W006", "`\(entry.value.term)` is listed twice; the later valence \(entry.value.value) wins over \(previous.valence.value) (line \(previous.location.line))",
                                                  file: entry.location.file, line: entry.location.line, column: entry.location.column))
                }
                // Later files override earlier ones; the entry keeps its first place.
                entries[index] = (phrase, valence, entry.location)
            }
        }
        var terms = PhraseIndex<Term>()
        terms.reserveCapacity(entries.count)
        for (phrase, valence, _) in entries {
            terms.insert(phrase, payload: .valence(valence))
        }
        let valenceCount = terms.count
        // Negators are looked up for up to four tokens before every sentiment term, contrast words
        // for the sixth of all tokens that pass `contrastMask`: a `Set` hashes each key again
        // (SipHash: 2.7 M of the analyzer's 62 M instructions per megabyte of news), where the
        // table uses the token hash as it is.
        var negatorHashes = TokenTable<Bool>()
        var negatorAfterHashes = TokenTable<Bool>()
        var contrastHashes = TokenTable<Bool>()
        var contrastMask: UInt64 = 0
        var concessions: [Phrase] = []
        for definition in definitions {
            for entry in definition.boosters {
                guard let phrase = Phrase(entry.value.term) else {
                    diagnostics.append(Diagnostic(.error, "E010", "booster `\(entry.value.term)` has no word in it",
                                                  file: entry.location.file, line: entry.location.line, column: entry.location.column))
                    continue
                }
                terms.insert(phrase, payload: .booster(entry.value.value))
            }
            for (list, target) in [(definition.negators, 0), (definition.contrast, 1), (definition.negatorsAfter, 2)] {
                for word in list {
                    guard let phrase = Phrase(word.value), phrase.tokenCount == 1 else {
                        diagnostics.append(Diagnostic(.error, "E010", "`\(word.value)` must be a single word",
                                                      file: word.location.file, line: word.location.line, column: word.location.column))
                        continue
                    }
                    let hash = Tokenizer.hash(phrase.token(0))
                    if target == 0 {
                        negatorHashes.update(hash) { _ in true }
                    } else if target == 2 {
                        negatorAfterHashes.update(hash) { _ in true }
                    } else {
                        contrastHashes.update(hash) { _ in true }
                        contrastMask |= 1 << (hash & 63)
                    }
                }
            }
            for words in definition.concessive {
                guard let phrase = Phrase(words.value), !phrase.hasPrefix else {
                    diagnostics.append(Diagnostic(.error, "E010", "concessive `\(words.value)` must be one or more whole words",
                                                  file: words.location.file, line: words.location.line, column: words.location.column))
                    continue
                }
                if !concessions.contains(where: { $0.tokens == phrase.tokens }) { concessions.append(phrase) }
            }
        }
        // After every booster of every file, so that the entries of each kind are one range.
        let concessionStart = terms.count
        for phrase in concessions { terms.insert(phrase, payload: .concession) }
        var symbolBytes = ByteSet()
        var symbolHashes = TokenTable<Bool>(capacity: symbols.count)
        for key in symbols.keys {
            if let byte = CompiledLexicon.rarestByte(of: Array(key.utf8)) { symbolBytes.insert(byte) }
            symbolHashes.update(Tokenizer.hash(key.utf8)) { _ in true }
        }
        let lexicon = CompiledLexicon(language: language, terms: terms, valenceCount: valenceCount,
                                      concessionStart: concessionStart, symbols: symbols,
                                      symbolBytes: symbolBytes, symbolHashes: symbolHashes,
                                      negatorHashes: negatorHashes, negatorAfterHashes: negatorAfterHashes,
                                      contrastHashes: contrastHashes,
                                      contrastMask: contrastMask,
                                      lexiconIDs: definitions.map(\.id),
                                      definitions: definitions)
        return (lexicon, diagnostics)
    }

    /// The byte of `symbol` least common in prose, by class: a chunk of text can only be the
    /// symbol if it holds every byte of it, so one byte per symbol is enough to look for. Before,
    /// every punctuation byte of every symbol was: `-.-` made each full stop a place to look.
    static func rarestByte(of symbol: [UInt8]) -> UInt8? {
        /// Higher is rarer in French and English prose: letters, digits and spaces; bytes beyond
        /// ASCII (accents, the lead bytes of most characters); the comma and full stop; marks
        /// that come every few sentences; the rest of ASCII, which prose seldom uses.
        func rarity(_ byte: UInt8) -> Int {
            if byte >= 0x80 { return 1 }
            if LeadingWords.isAlphanumeric(byte) || byte <= 0x20 { return 0 }
            switch byte {
            case UInt8(ascii: ","), UInt8(ascii: "."): return 2
            case UInt8(ascii: "'"), UInt8(ascii: "-"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "\""): return 3
            case UInt8(ascii: ":"), UInt8(ascii: "?"), UInt8(ascii: "!"), UInt8(ascii: "%"), UInt8(ascii: "/"): return 4
            default: return 5
            }
        }
        // The first of the rarest, so the choice does not depend on anything but the symbol.
        return symbol.indices.max { rarity(symbol[$0]) < rarity(symbol[$1]) || (rarity(symbol[$0]) == rarity(symbol[$1]) && $0 > $1) }
            .map { symbol[$0] }
    }

    /// A phrase as a dictionary key: equal to another when both match the same words, hashed by
    /// the phrase's FNV hash (computed once, with the phrase).
    struct SameWords: Hashable {
        let phrase: Phrase
        init(_ phrase: Phrase) { self.phrase = phrase }
        static func == (lhs: SameWords, rhs: SameWords) -> Bool {
            lhs.phrase.termHash == rhs.phrase.termHash && lhs.phrase.matchesSameWords(as: rhs.phrase)
        }
        func hash(into hasher: inout Hasher) { hasher.combine(phrase.termHash) }
    }

    /// Emoticons (`:)`, `:D`, `<3`, `T_T`) are matched as whole whitespace-separated symbols, not
    /// as words: `:D` as a word would be the letter `d`, which fires on "I'd". A term is a symbol
    /// when it is one chunk with punctuation other than the apostrophes, hyphens and `*` that
    /// words use; emoji are words of their own.
    static let asciiSpaces = ByteSet(" \t\n\r\u{0B}\u{0C}")
    static let asciiWordBytes = ByteSet("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'-*")

    static func isSymbolTerm(_ term: String) -> Bool {
        // Nearly every term is plain ASCII, decided on its bytes without Unicode property lookups.
        if term.utf8.allSatisfy({ $0 < 0x80 }) {
            return !term.utf8.contains(where: asciiSpaces.contains) && term.utf8.contains { !asciiWordBytes.contains($0) }
        }
        guard !term.contains(where: \.isWhitespace) else { return false }
        return term.unicodeScalars.contains { scalar in
            let properties = scalar.properties
            if properties.isAlphabetic || properties.numericType != nil { return false }
            if properties.isEmojiPresentation || (properties.isEmoji && scalar.value >= 0x2000) { return false }
            if scalar.value == 0xFE0F || scalar.value == 0x200D { return false }
            return !"'’-*".unicodeScalars.contains(scalar)
        }
    }
}
