import CribleCore
import CribleRules
import Foundation

/// Lexicon-based sentiment, in the manner of VADER, for French and English.
///
/// A term's valence (−4…+4, from the lexicon files) is adjusted by what surrounds it:
/// - **negation**: a negator among the 3 tokens before the term, with no comma, semicolon or
///   colon between them (a negation belongs to its clause), multiplies it by −0.74. French
///   "ne … pas" needs nothing special: "n'est pas bon" has `n` and `pas` before `bon`;
///   "ne … plus" is handled by treating `plus` as a negator only when `ne`/`n` precedes it
///   (otherwise `plus` means "more"). A negator inside a phrase of valence 0 (a shield: "not
///   only", "pas mal de") belongs to it and negates nothing. The terms of a lexicon file with
///   `negators_after` are also negated by one of those words right after them, in their clause:
///   spoken French drops the "ne" ("j'adore pas");
/// - **boosters and dampeners** ("très", "un peu", "very", "slightly") among the 3 tokens before
///   add their value in the direction of the term, less the further they are;
/// - **contrast** ("mais", "but"): in a sentence, terms before the contrast word count half and
///   terms after it one and a half;
/// - **concession** ("malgré", "bien que", "although"): the clause a concessive word opens, up to
///   the next comma or the end of the sentence, is what the writer grants, not what they conclude:
///   its terms count half and the rest of the sentence one and a half ("un bon film malgré
///   quelques longueurs" is positive, "bien que le début soit bon, la fin déçoit" negative). A
///   concession that opens a sentence without a comma to close it is left alone: where the main
///   clause starts is unknown;
/// - **emphasis**: a word in capitals in a text that is not all capitals, and exclamation marks.
///
/// The compound score is `sum / sqrt(sum² + 15)`, in [−1, 1]. For texts longer than five
/// sentences it is the mean of the sentence scores, neutral sentences included, so that a long
/// article is not pushed to ±1 by its length, and a factual report with a few charged words stays
/// near neutral, as readers judge it.
public struct SentimentAnalyzer: Sendable {
    public var negationFactor = -0.74
    public var boosterDecay: [Double] = [1, 0.95, 0.9]
    public var capsBoost = 0.733
    public var exclamationBoost = 0.292
    public var contrastBefore = 0.5
    public var contrastAfter = 1.5
    public var insideConcession = 0.5
    public var besideConcession = 1.5
    public var normalizationAlpha = 15.0
    /// Above this, the document score is the mean of sentence scores rather than one sum.
    public var sentencesForMean = 5
    public var neutralBand = 0.05

    public init() {}

    // Token hashes (`Tokenizer.hash` of the folded bytes) stand for the words: no copy per check.
    static let neHash = Tokenizer.hash(Array("ne".utf8)), nHash = Tokenizer.hash(Array("n".utf8))
    static let plusHash = Tokenizer.hash(Array("plus".utf8))

    /// - Parameter termMatches: the matches of `lexicon.terms` in `text`, when they were found
    ///   already (``CribleRules/CompiledRuleSet/phraseMatches(in:language:)``).
    public func analyze(_ text: TextView, lexicon: CompiledLexicon?, termMatches: [PhraseMatch]? = nil) -> SentimentResult {
        guard let lexicon, !text.tokens.isEmpty else { return .neutral }
        let tokens = text.tokens
        let folded = text.folded
        let (valenceList, boosterList, concessionList) = termMatches.map(lexicon.termMatches(from:)) ?? lexicon.termMatches(in: text)
        let symbols = lexicon.symbols.isEmpty ? []
            : symbolChunks(folded, symbolBytes: lexicon.symbolBytes, symbolHashes: lexicon.symbolHashes)
        // A text without a term of the lexicon (45 % of 8,889 French tweets) scores 0 whatever its
        // sentences, boosters or negations: not read further.
        guard !valenceList.isEmpty || !symbols.isEmpty else { return .neutral }
        let sentences = sentenceStarts(text)
        func sentence(ofToken index: Int) -> Int {
            sentences.lastIndex(withKeyAtMost: index) { $0.firstToken } ?? 0
        }
        let ne = SentimentAnalyzer.neHash, n = SentimentAnalyzer.nHash, plus = SentimentAnalyzer.plusHash

        // The boosters that count, in text order and apart from each other: a term asks for the
        // nearest one ending before it. A few a document, looked up by bisection: arrays of a
        // value and a first token for every token of the text, filled for each document, cost
        // more than every lookup.
        let boosters = leftmostLongest(boosterList[...])
        /// The booster ending last at or before token `index`, if any.
        func booster(endingBy index: Int) -> PhraseMatch? {
            boosters.lastIndex(withKeyAtMost: index) { $0.lastToken }.map { boosters[$0] }
        }
        let contrastMask = lexicon.contrastMask
        let contrastTokens = lexicon.contrastHashes.count == 0 ? [] : tokens.indices.filter {
            contrastMask >> (tokens[$0].hash & 63) & 1 != 0 && lexicon.contrastHashes[tokens[$0].hash] != nil
        }
        let concessions = concessiveClauses(concessionList, in: text, sentences: sentences, sentenceOf: sentence(ofToken:))
        // Whether the whole text shouts, asked only once a term is written in capitals: counting
        // letters for every text was a twelfth of this stage, and few terms are in capitals.
        var mostlyCaps: Bool?
        func isShouting() -> Bool {
            if let mostlyCaps { return mostlyCaps }
            let answer = isMostlyCapitals(text)
            mostlyCaps = answer
            return answer
        }

        var terms: [SentimentTerm] = []
        var sentenceSums = [Double](filledWith: 0, count: sentences.count)

        let valenceMatches = leftmostLongest(valenceList[...])
        /// The valence term (zero-valence ones included) covering token `index`, if any.
        func phrase(covering index: Int) -> PhraseMatch? {
            valenceMatches.lastIndex(withKeyAtMost: index) { $0.firstToken }.map { valenceMatches[$0] }.flatMap {
                $0.lastToken >= index ? $0 : nil
            }
        }
        /// Whether a valence term (zero-valence ones included) starts at token `index`.
        func termStarts(at index: Int) -> Bool { phrase(covering: index)?.firstToken == index }

        /// Whether a comma, semicolon or colon stands between token `position` and the next.
        func clauseEnds(after position: Int) -> Bool {
            gap(after: position, in: text).contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: ";") || $0 == UInt8(ascii: ":") }
        }

        func adjust(valence: Double, first: Int, last: Int, negatedByFollowing: Bool, span: Range<Int>, term: String) {
            // Zero-valence entries only shield the words inside them ("bien sûr", "match nul").
            guard valence != 0 else { return }
            var value = valence
            var modifiers: [String] = []
            let currentSentence = sentence(ofToken: first)
            let sentenceStart = sentences[currentSentence].firstToken
            // Emphasis by capitals.
            if isCapitalized(text.original[span]), !isShouting() {
                value += value > 0 ? capsBoost : -capsBoost
                modifiers.append("capitals")
            }
            // Boosters and dampeners before the term: the nearest one ending within three tokens,
            // all of it in the term's sentence (boosters do not overlap, so one further back
            // cannot be nearer).
            if let near = booster(endingBy: first - 1), near.lastToken >= first - 3, near.firstToken >= sentenceStart {
                let scaled = lexicon.booster(of: near) * boosterDecay[first - near.lastToken - 1]
                value += value > 0 ? scaled : -scaled
                modifiers.append("booster:\(text.originalString(text.originalRange(ofTokens: near.firstToken, through: near.lastToken)))")
            }
            // Negation before the term, unless the term already contains its negation
            // ("pas terrible", "n'a aucun intérêt").
            let startsNegated = lexicon.negatorHashes[tokens[first].hash] != nil
            var negated = startsNegated
            for distance in 1...3 where !startsNegated {
                let position = first - distance
                // A negation belongs to its clause: it does not reach across a comma, semicolon or
                // colon ("Sans aucun doute, génial").
                guard position >= sentenceStart, !clauseEnds(after: position) else { break }
                let word = tokens[position].hash
                var negates = lexicon.negatorHashes[word] != nil
                if word == plus {
                    // "ne … plus" negates; "plus" alone means "more".
                    negates = (1...3).contains { back in
                        position - back >= sentenceStart && (tokens[position - back].hash == ne || tokens[position - back].hash == n)
                    }
                }
                // A negator inside a shield (a phrase of valence 0) is that phrase's: "not only
                // good", "sans doute le meilleur", "pas mal de bonnes idées". One inside a phrase
                // with a valence still reaches on ("pas assez rapides" is negative twice over).
                if negates, let shield = phrase(covering: position), lexicon.valence(of: shield).value == 0 { break }
                if negates {
                    value *= negationFactor
                    modifiers.append("negated:\(text.foldedString(of: tokens[position]))")
                    negated = true
                    break
                }
            }
            // Negation right after a verb whose "ne" was dropped ("j'adore pas"), in the same
            // clause, unless that word starts a phrase of its own ("adoré pas mal de passages").
            let next = last + 1
            if negatedByFollowing, !negated, next < tokens.count, lexicon.negatorAfterHashes[tokens[next].hash] != nil,
               sentence(ofToken: next) == currentSentence, !termStarts(at: next), !clauseEnds(after: last) {
                value *= negationFactor
                modifiers.append("negated-after:\(text.foldedString(of: tokens[next]))")
            }
            // Contrast inside the sentence.
            let sentenceEnd = currentSentence + 1 < sentences.count ? sentences[currentSentence + 1].firstToken : tokens.count
            if let pivot = contrastTokens.first(where: { $0 >= sentenceStart && $0 < sentenceEnd && $0 != first }) {
                if first < pivot {
                    value *= contrastBefore
                    modifiers.append("before-contrast")
                } else {
                    value *= contrastAfter
                    modifiers.append("after-contrast")
                }
            }
            // Concession inside the sentence.
            if !concessions.isEmpty, let clause = concessions[currentSentence] {
                if clause.contains(first) {
                    value *= insideConcession
                    modifiers.append("in-concession")
                } else {
                    value *= besideConcession
                    modifiers.append("beside-concession")
                }
            }
            sentenceSums[currentSentence] += value
            terms.append(SentimentTerm(span: span, term: term, valence: valence, adjustedValence: value, modifiers: modifiers))
        }

        // A term per match at most, and a few symbols: room made once, not grown through copies.
        terms.reserveCapacity(valenceMatches.count + 4)
        for (position, match) in zip(valenceMatches.indices, valenceMatches) {
            // A word that is both a booster and a term ("super", "trop") boosts when a term
            // follows (the next one in text order, terms being apart from each other).
            if let same = booster(endingBy: match.lastToken), same.lastToken == match.lastToken, same.firstToken == match.firstToken,
               position + 1 < valenceMatches.endIndex, valenceMatches[position + 1].firstToken == match.lastToken + 1 {
                continue
            }
            let span = text.originalRange(ofTokens: match.firstToken, through: match.lastToken)
            let valence = lexicon.valence(of: match)
            adjust(valence: valence.value, first: match.firstToken, last: match.lastToken, negatedByFollowing: valence.negatedByFollowing,
                   span: span, term: lexicon.terms.phrase(of: match).source)
        }
        for (range, symbol) in symbols {
            guard let valence = lexicon.symbols[symbol] else { continue }
            let following = tokens.firstIndex { Int($0.start) >= range.upperBound } ?? tokens.count
            let currentSentence = sentence(ofToken: max(0, following - 1))
            sentenceSums[currentSentence] += valence.value
            terms.append(SentimentTerm(span: text.originalRange(ofFolded: range), term: symbol,
                                       valence: valence.value, adjustedValence: valence.value, modifiers: []))
        }

        // Exclamation marks emphasise the sentence's direction.
        for (index, info) in sentences.enumerated() where sentenceSums[index] != 0 && info.exclamations > 0 {
            let boost = Double(min(info.exclamations, 4)) * exclamationBoost
            sentenceSums[index] += sentenceSums[index] > 0 ? boost : -boost
        }

        // Sums in term and sentence order, without a list of each.
        var positive = 0.0, negative = 0.0
        for term in terms {
            if term.adjustedValence > 0 { positive += term.adjustedValence }
            if term.adjustedValence < 0 { negative += term.adjustedValence }
        }
        negative = -negative
        var bearingCount = 0
        var bearingSum = 0.0
        for sum in sentenceSums where sum != 0 {
            bearingCount += 1
            bearingSum += normalize(sum)
        }
        let compound: Double
        if sentences.count <= sentencesForMean {
            compound = normalize(sentenceSums.reduce(0, +))
        } else if bearingCount == 0 {
            compound = 0
        } else {
            // Neutral sentences count too: a long factual article with a few charged words is mostly neutral.
            compound = bearingSum / Double(sentenceSums.count)
        }
        let total = positive + negative
        let label: String
        if positive >= 1.5, negative >= 1.5, min(positive, negative) / max(positive, negative) >= 0.6,
           abs(compound) < 0.5 {
            label = "sentiment/mixed"
        } else if compound > neutralBand {
            label = "sentiment/positive"
        } else if compound < -neutralBand {
            label = "sentiment/negative"
        } else {
            label = "sentiment/neutral"
        }
        return SentimentResult(score: (compound * 10_000).rounded() / 10_000, label: label,
                               positive: total > 0 ? positive / total : 0, negative: total > 0 ? negative / total : 0,
                               terms: inTextOrder(terms))
    }

    /// `terms` by where they start. The lexicon's terms come in text order, and only symbols,
    /// added after them, can be out of it: sorted only then, since a sort of a few dozen terms
    /// moved (and retained and released) each one's strings.
    func inTextOrder(_ terms: [SentimentTerm]) -> [SentimentTerm] {
        for index in terms.indices.dropFirst() where terms[index].span.lowerBound < terms[index - 1].span.lowerBound {
            return terms.sorted { $0.span.lowerBound < $1.span.lowerBound }
        }
        return terms
    }

    /// The folded bytes between token `index` and the next (spaces and punctuation: never part
    /// of a token), where what ends a clause is looked for.
    func gap(after index: Int, in text: TextView) -> ArraySlice<UInt8> {
        text.folded[Int(text.tokens[index].end)..<Int(text.tokens[index + 1].start)]
    }

    /// By sentence, its first concessive clause as a token range: from the concessive phrase to
    /// the token before the next comma or semicolon, or to the end of the sentence (see the type's
    /// documentation for the clause left alone). Empty when the text has none, as most have.
    func concessiveClauses(_ openings: [PhraseMatch], in text: TextView, sentences: [SentenceInfo],
                           sentenceOf: (Int) -> Int) -> [Range<Int>?] {
        guard !openings.isEmpty else { return [] }
        let tokens = text.tokens
        var clauses = [Range<Int>?](filledWith: nil, count: sentences.count)
        for opening in openings {
            let index = opening.firstToken
            let sentence = sentenceOf(index)
            guard clauses[sentence] == nil else { continue }
            let sentenceEnd = sentence + 1 < sentences.count ? sentences[sentence + 1].firstToken : tokens.count
            let afterOpening = opening.lastToken + 1
            var end = sentenceEnd
            var closed = false
            for next in afterOpening..<max(afterOpening, sentenceEnd)
            where gap(after: next - 1, in: text).contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: ";") }) {
                end = next
                closed = true
                break
            }
            if !closed && index == sentences[sentence].firstToken { continue }
            clauses[sentence] = index..<end
        }
        return clauses
    }

    func normalize(_ sum: Double) -> Double {
        let value = sum / (sum * sum + normalizationAlpha).squareRoot()
        return max(-1, min(1, value))
    }

    struct SentenceInfo {
        var firstToken: Int
        var exclamations: Int
    }

    /// Sentence boundaries from the punctuation and line breaks between tokens: a sentence starts
    /// at the token after a gap holding `! ?` or a line feed, or a full stop with a space, tab or
    /// carriage return after it in the gap (not `example.org`, `3.5` or `U.S.`), and is given the
    /// `!` of the gaps up to its end.
    ///
    /// The bytes that can end a sentence are found sixteen at a time, and only the gaps holding
    /// one are read: none of them is ever inside a token. Walking the gap before every token, a
    /// branch on whether it was more than one space (one token in six or seven) was mispredicted
    /// at random, and the walk cost as much as the rest of the analysis of a long text.
    func sentenceStarts(_ text: TextView) -> [SentenceInfo] {
        var sentences = SentenceList(capacity: text.tokens.count / 10 + 2)
        // Without tokens, one sentence with no `!` (there is nothing to emphasise).
        guard !text.tokens.isEmpty else { return sentences.finish() }
        text.folded.withUnsafeBufferPointer { folded in
        text.tokens.withUnsafeBufferPointer { tokens in
            let tokenCount = tokens.count
            // The token after the mark being read: its gap holds the mark.
            var next = 0
            var offset = 0
            while offset < folded.count {
                var marks = folded.zeroPaddedVector(at: offset).sentenceEndLanes.packedBits
                while marks != 0 {
                    let position = offset &+ marks.trailingZeroBitCount
                    marks &= marks &- 1
                    while next < tokenCount, Int(tokens[next].start) <= position { next &+= 1 }
                    sentences.enterGap(before: next)
                    let byte = folded[position]
                    if byte == UInt8(ascii: "!") { sentences.pendingExclamations &+= 1 }
                    if byte != UInt8(ascii: ".") {
                        sentences.gapEnds = true
                    } else if !sentences.gapEnds, next > 0, next < tokenCount {
                        // A full stop ends the sentence when a space, tab or carriage return
                        // follows it before the next token.
                        var after = position &+ 1
                        let gapEnd = Int(tokens[next].start)
                        while after < gapEnd {
                            let following = folded[after]
                            if following == 0x20 || following == 0x09 || following == 0x0D {
                                sentences.gapEnds = true
                                break
                            }
                            after &+= 1
                        }
                    }
                }
                offset &+= 16
            }
            sentences.enterGap(before: tokenCount)
        }}
        return sentences.finish()
    }

    /// The sentences found so far, and the gap being read: whether it ends a sentence and the
    /// `!` not yet given to one. A gap is settled when the next one is entered, so that the `!`
    /// after a `?` in the same gap (`?!`) still belong to the sentence it ends.
    private struct SentenceList {
        private var sentences: [SentenceInfo]
        private var gapToken = 0
        var gapEnds = false
        var pendingExclamations = 0

        init(capacity: Int) {
            sentences = [SentenceInfo(firstToken: 0, exclamations: 0)]
            sentences.reserveCapacity(capacity)
        }

        /// Settles the gap being read and starts the one before token `token` (the token count
        /// for the text after the last token); nothing when it is the same gap.
        @inline(__always)
        mutating func enterGap(before token: Int) {
            guard token != gapToken else { return }
            // No sentence starts before the first token; the gap after the last one is never
            // settled (it is entered last).
            if gapEnds, gapToken > 0 {
                sentences[sentences.count - 1].exclamations += pendingExclamations
                pendingExclamations = 0
                sentences.append(SentenceInfo(firstToken: gapToken, exclamations: 0))
            }
            gapToken = token
            gapEnds = false
        }

        /// The sentences, the last one given the `!` after its last gap that ended one.
        mutating func finish() -> [SentenceInfo] {
            sentences[sentences.count - 1].exclamations += pendingExclamations
            pendingExclamations = 0
            return sentences
        }
    }

    /// Whitespace-separated chunks, where emoticons are looked up; trailing `, . ! ?` are
    /// tolerated (`:D!!`).
    /// Whitespace-separated chunks of up to 8 bytes that contain one of `symbolBytes` (trailing
    /// `, . ! ?` trimmed): the only chunks that can be emoticons. A `String` is made only for them.
    static let chunkTrailers = ByteSet(",.!?")

    /// The chunks that may be symbol terms; with `symbolHashes`, only those whose hash is one.
    func symbolChunks(_ folded: [UInt8], symbolBytes: ByteSet, symbolHashes: TokenTable<Bool>? = nil) -> [(Range<Int>, String)] {
        var chunks: [(Range<Int>, String)] = []
        let trailing = SentimentAnalyzer.chunkTrailers
        folded.withUnsafeBufferPointer { folded in
            // Only chunks holding a symbol byte can be emoticons.
            folded.forEachChunk(containing: symbolBytes) { chunk, firstSymbol in
                var chunkEnd = chunk.upperBound
                while chunkEnd > chunk.lowerBound + 1, trailing.contains(folded[chunkEnd - 1]) { chunkEnd -= 1 }
                // The chunk has a symbol byte before its trimmed end exactly when its first one is.
                if chunkEnd - chunk.lowerBound <= 8, firstSymbol < chunkEnd {
                    let range = chunk.lowerBound..<chunkEnd
                    if let symbolHashes, symbolHashes[Tokenizer.hash(UnsafeBufferPointer(rebasing: folded[range]))] == nil { return }
                    chunks.append((range, String(decoding: UnsafeBufferPointer(rebasing: folded[range]), as: UTF8.self)))
                }
            }
        }
        return chunks
    }

    func isCapitalized(_ bytes: ArraySlice<UInt8>) -> Bool {
        var letters = 0
        for byte in bytes {
            if (97...122).contains(byte) { return false }
            if (65...90).contains(byte) { letters += 1 }
        }
        return letters >= 2
    }

    func isMostlyCapitals(_ text: TextView) -> Bool {
        // Settled once capitals could no longer outnumber the other letters.
        let counts = text.original.withUnsafeBufferPointer {
            asciiLetterCounts(in: UnsafeBufferPointer(rebasing: $0.prefix(5000))) { upper, lower, remaining in upper + remaining <= lower }
        }
        return counts.upper > counts.lower
    }
}
