import CribleCore
@testable import CribleEngine
@testable import CribleRules
import XCTest

final class SentimentTests: XCTestCase {
    let engineUnderTest = engine(rules: """
    crible: 1
    lexicon:
      id: test.fr
      lang: fr
      valences: |
        bon 2
        mauvais -2
        excellent 3
        ennuyeux -1.5
        coup de coeur 2.5
      boosters: |
        très 0.3
        un peu -0.3
      negators: [pas, jamais, n, ne]
      contrast: [mais]
      concessive: [malgré, bien que, même si]
    """)

    func score(_ text: String) -> SentimentResult {
        engineUnderTest.sentiment.analyze(TextView(text), lexicon: engineUnderTest.ruleSet.lexicons["fr"])
    }

    /// An analyzer of French with a lexicon of its own, given by the lines of its lexicon block.
    func analyzer(withFrenchLexicon entries: String) -> (String) -> SentimentResult {
        let lexicon = engine(rules: "crible: 1\nlexicon:\n  id: t\n  lang: fr\n" + entries)
        return { lexicon.sentiment.analyze(TextView($0), lexicon: lexicon.ruleSet.lexicons["fr"]) }
    }

    func testPlainPolarity() {
        XCTAssertGreaterThan(score("Un bon livre.").score, 0.05)
        XCTAssertLessThan(score("Un mauvais livre.").score, -0.05)
        XCTAssertEqual(score("Un livre de trois cents pages.").label, "sentiment/neutral")
    }

    func testNegationWithNeAndPas() {
        XCTAssertLessThan(score("Ce n'est pas bon.").score, -0.05)
        XCTAssertLessThan(score("Je ne l'ai jamais trouvé bon.").score, 0)
        XCTAssertGreaterThan(score("Ce n’est pas mauvais.").score, 0.05)
    }

    func testNePlusNegatesButPlusAloneDoesNot() {
        let analyze = analyzer(withFrenchLexicon: """
          valences: |
            bon 2
          negators: [pas, ne, n]
        """)
        XCTAssertLessThan(analyze("Il n'est plus bon.").score, 0)
        XCTAssertGreaterThan(analyze("Il est plus bon que jamais.").score, 0)
    }

    func testBoostersAndDampeners() {
        XCTAssertGreaterThan(score("Très bon.").score, score("Bon.").score)
        XCTAssertLessThan(score("Un peu bon.").score, score("Bon.").score)
    }

    /// A booster counts up to three tokens before its term, less with each token between, only
    /// in the term's sentence, and the nearest one alone; a word that is both a booster and a
    /// term boosts when a term follows it, and is a term otherwise.
    func testBoostersReachThreeTokensBackWithinTheSentence() {
        let analyze = analyzer(withFrenchLexicon: """
          valences: |
            bon 2
            super 1.5
          boosters: |
            très 0.4
            super 0.5
            un peu -0.3
        """)
        func adjusted(_ text: String) -> [Double] { analyze(text).terms.map { ($0.adjustedValence * 1_000).rounded() / 1_000 } }
        XCTAssertEqual(adjusted("très bon"), [2.4])
        XCTAssertEqual(adjusted("très vraiment bon"), [2.38])
        XCTAssertEqual(adjusted("très vraiment assez bon"), [2.36])
        XCTAssertEqual(adjusted("très vraiment assez plutôt bon"), [2], "four tokens back is out of reach")
        XCTAssertEqual(adjusted("Très. Bon"), [2], "a booster in the sentence before does not count")
        XCTAssertEqual(adjusted("Il en veut un. Peu bon"), [2], "nor one that starts there")
        XCTAssertEqual(adjusted("un peu très bon"), [2.4], "the nearest booster alone")
        XCTAssertEqual(adjusted("très un peu bon"), [1.7])
        XCTAssertEqual(analyze("très vraiment assez bon").terms.map(\.modifiers), [["booster:très"]])
        XCTAssertEqual(adjusted("super bon"), [2.5], "a booster-term before a term boosts it")
        XCTAssertEqual(adjusted("super"), [1.5])
        XCTAssertEqual(adjusted("super vraiment bon"), [1.5, 2.475], "with a word between, it is a term and boosts too")
    }

    /// A verdict lists its sentiment terms in text order, symbols among words: symbols are
    /// found after the words and put in their place.
    func testTermsComeInTextOrderWithSymbols() {
        let analyze = analyzer(withFrenchLexicon: """
          valences: |
            bon 2
            mauvais -2
            :) 1.5
        """)
        let result = analyze("Ah :) un bon début, un mauvais milieu :) et un bon final")
        XCTAssertEqual(result.terms.map(\.term), [":)", "bon", "mauvais", ":)", "bon"])
        XCTAssertEqual(result.terms.map(\.span.lowerBound), result.terms.map(\.span.lowerBound).sorted())
        XCTAssertEqual(analyze("un bon début, un mauvais milieu").terms.map(\.term), ["bon", "mauvais"])
    }

    func testContrastWeightsTheSecondClause() {
        XCTAssertGreaterThan(score("Le début est ennuyeux mais la fin est excellent.").score, 0.05)
        XCTAssertLessThan(score("Le début est bon mais la fin est mauvais.").score, -0.05)
    }

    /// The concession is granted, the rest of the sentence concluded, in either order; the
    /// clause ends at a comma or with the sentence.
    func testConcessionWeighsLessThanWhatTheSentenceConcludes() {
        let after = score("Un bon livre malgré un début ennuyeux. Rien à ajouter.")
        XCTAssertGreaterThan(after.score, 0.05)
        XCTAssertEqual(after.terms.map(\.modifiers), [["beside-concession"], ["in-concession"]])
        XCTAssertEqual(after.terms.map(\.adjustedValence), [3, -0.75])
        let before = score("Bien que le début soit excellent, la fin est mauvais.")
        XCTAssertLessThan(before.score, -0.05)
        XCTAssertEqual(before.terms.map(\.modifiers), [["in-concession"], ["beside-concession"]])
        let twoWords = score("Même si la fin est mauvais, le reste est bon.")
        XCTAssertGreaterThan(twoWords.score, 0.05, "a phrase of two words opens the clause too")
    }

    /// A concession at the start of a sentence with no comma to close it: the main clause could
    /// start anywhere, so nothing is weighted; a later sentence is not affected either.
    func testAnUnclosedConcessionAtTheStartOfASentenceIsLeftAlone() {
        let result = score("Malgré la pluie nous avons passé une excellent journée. C'était bon.")
        XCTAssertEqual(result.terms.map(\.modifiers), [[], []])
        XCTAssertEqual(result.terms.map(\.adjustedValence), [3, 2])
    }

    func testIdiomsWinOverTheirWords() {
        let result = score("Un vrai coup de cœur !")
        XCTAssertEqual(result.terms.map(\.term), ["coup de coeur"])
        XCTAssertGreaterThan(result.score, 0.5)
    }

    func testCapitalsAndExclamationsEmphasise() {
        XCTAssertGreaterThan(score("Ce livre est vraiment BON.").score, score("Ce livre est vraiment bon.").score)
        XCTAssertGreaterThan(score("C'est bon!!!").score, score("C'est bon.").score)
        // A text written all in capitals stresses nothing in particular.
        XCTAssertEqual(score("CE LIVRE EST VRAIMENT BON.").score, score("Ce livre est vraiment bon.").score)
    }

    func testScoreStaysInRangeForLongTexts() {
        let long = String(repeating: "Excellent, très bon, excellent ! ", count: 500)
        let result = score(long)
        XCTAssertLessThanOrEqual(result.score, 1)
        XCTAssertGreaterThan(result.score, 0.5)
    }

    func testMixedNeedsStrongTermsOnBothSides() {
        XCTAssertEqual(score("Excellent acteurs. Scénario mauvais et ennuyeux.").label, "sentiment/mixed")
    }

    func testNoLexiconMeansNeutral() {
        XCTAssertEqual(engineUnderTest.sentiment.analyze(TextView("good"), lexicon: nil).label, "sentiment/neutral")
    }

    /// Every symbol term holds one of the bytes that start the search for symbol chunks, its
    /// rarest in prose: the comma and the full stop only for a term with nothing rarer.
    func testEverySymbolTermHoldsATriggerByte() {
        let lexicons = engine(rules: """
            crible: 1
            lexicon:
              id: test.fr
              lang: fr
              valences: |
                :,( -2
                ,, -1
                ^.^ 1
            """).ruleSet.lexicons.values.map { $0 } + bundledEngine.ruleSet.lexicons.values.map { $0 }
        for lexicon in lexicons {
            for key in lexicon.symbols.keys {
                XCTAssertTrue(key.utf8.contains(where: lexicon.symbolBytes.contains), "\(lexicon.language): \(key)")
            }
        }
        XCTAssertFalse(bundledEngine.ruleSet.lexicons["fr"]!.symbolBytes.contains(UInt8(ascii: ",")))
        XCTAssertFalse(bundledEngine.ruleSet.lexicons["fr"]!.symbolBytes.contains(UInt8(ascii: ".")), "`-.-` has `-`")
        XCTAssertTrue(lexicons[0].symbolBytes.contains(UInt8(ascii: ",")), "`,,` has no other")
        XCTAssertFalse(lexicons[0].symbolBytes.contains(UInt8(ascii: ".")), "`^.^` has `^`")
        let rarest = [":)", "-.-", "^.^", ",,", ":,(", "(:", "<3", "xD", "♥"].map { CompiledLexicon.rarestByte(of: Array($0.utf8)) }
        XCTAssertEqual(rarest, [":", "-", "^", ",", ":", ":", "<", "x"].map { UInt8(ascii: Unicode.Scalar($0)!) } + [0xE2])
    }

    /// With one trigger byte per symbol term, the symbols found in a text are those found when
    /// every punctuation byte of every term starts a search: on random texts of the bundled
    /// emoticons, look-alikes and prose, in both languages.
    func testOneTriggerBytePerSymbolFindsEverySymbol() {
        var generator = SystemRandomNumberGenerator()
        let analyzer = SentimentAnalyzer()
        for lexicon in bundledEngine.ruleSet.lexicons.values {
            let symbols = Array(lexicon.symbols.keys)
            var everyByte = ByteSet()
            for key in symbols { for byte in key.utf8 where !LeadingWords.isAlphanumeric(byte) { everyByte.insert(byte) } }
            var symbolsFound = 0
            let prose = ["mot", "l'IA", "peut-être", "fin.", "(voir", "ci-dessous)", "2,5", "a:b", "...", "!", "-", "_", "^", ";", "x"]
            for _ in 0..<300 {
                let text = (0..<Int.random(in: 0...30, using: &generator)).map { _ in
                    (Bool.random(using: &generator) ? symbols : prose).randomElement(using: &generator)!
                        + [" ", "\n", ". ", ", ", "! ", ""].randomElement(using: &generator)!
                }.joined()
                let folded = TextView(text).folded
                let found = analyzer.symbolChunks(folded, symbolBytes: lexicon.symbolBytes, symbolHashes: lexicon.symbolHashes)
                let everywhere = analyzer.symbolChunks(folded, symbolBytes: everyByte, symbolHashes: lexicon.symbolHashes)
                XCTAssertEqual(found.map(\.0), everywhere.map(\.0), text)
                symbolsFound += everywhere.count
            }
            XCTAssertGreaterThan(symbolsFound, 300, lexicon.language)
        }
    }

    /// Emoticon chunks found around symbol bytes are those found by examining every chunk.
    func testSymbolChunksAreThoseFoundByExaminingEveryChunk() {
        var generator = SystemRandomNumberGenerator()
        let pieces = [":)", ":-(", "<3", "xD", "T_T", "^^", ":p,", ";)!", "(:", "mot", "le", "super!", "?!", "...", ":))", "a:b",
                      "[:)]", "ok.", "très", "8-)", "<3<3<3<3<3"]
        let analyzer = SentimentAnalyzer()
        let symbolBytes = ByteSet(":-()<3_^;[]")
        for _ in 0..<400 {
            let text = (0..<Int.random(in: 0...25, using: &generator)).map { _ in
                pieces.randomElement(using: &generator)! + [" ", "  ", "\n", "\t"].randomElement(using: &generator)!
            }.joined()
            let folded = Array(text.utf8)
            var expected: [(Range<Int>, String)] = []
            var start = 0
            let isSpace: (UInt8) -> Bool = { [0x20, 0x0A, 0x09, 0x0D].contains($0) }
            while start < folded.count {
                if isSpace(folded[start]) { start += 1; continue }
                var end = start
                while end < folded.count, !isSpace(folded[end]) { end += 1 }
                var chunkEnd = end
                while chunkEnd > start + 1, SentimentAnalyzer.chunkTrailers.contains(folded[chunkEnd - 1]) { chunkEnd -= 1 }
                if chunkEnd - start <= 8, (start..<chunkEnd).contains(where: { symbolBytes.contains(folded[$0]) }) {
                    expected.append((start..<chunkEnd, String(decoding: folded[start..<chunkEnd], as: UTF8.self)))
                }
                start = end
            }
            let found = analyzer.symbolChunks(folded, symbolBytes: symbolBytes)
            XCTAssertEqual(found.map(\.0), expected.map(\.0), text)
            XCTAssertEqual(found.map(\.1), expected.map(\.1), text)
            // With the table of terms, exactly the chunks that are terms remain.
            let terms = Set(pieces.filter { piece in piece.utf8.contains(where: { symbolBytes.contains($0) }) }.prefix(3))
            var table = TokenTable<Bool>()
            for term in terms { table.update(Tokenizer.hash(term.utf8)) { _ in true } }
            let kept = analyzer.symbolChunks(folded, symbolBytes: symbolBytes, symbolHashes: table)
            XCTAssertEqual(kept.map(\.1), expected.map(\.1).filter(terms.contains), text)
        }
    }
    /// Sentences start after `! ?` or a line feed, or a full stop followed by a space, tab or
    /// carriage return, in the gap before a token, and count the `!` before their end: against
    /// that definition written out gap by gap, on random texts of words and punctuation.
    func testSentencesStartWhereTheirDefinitionSays() {
        let analyzer = SentimentAnalyzer()
        let pieces = ["mot", "Bon", "3.5", "example.org", "U.S.", ".", "!", "?", "!!", "?!", "\n", "\r", "\t", " ", "  ",
                      ". ", "...", ",", "'", "-", "«", "»", ":)", "😀", "é"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<3_000 {
            let text = (0..<Int.random(in: 0...25, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }
                .joined(separator: Bool.random(using: &generator) ? " " : "")
            let view = TextView(text)
            let folded = view.folded
            var expected = [(first: 0, exclamations: 0)]
            var exclamations = 0
            for (index, token) in view.tokens.enumerated() {
                let gap = folded[(index == 0 ? 0 : Int(view.tokens[index - 1].end))..<Int(token.start)]
                var ends = false
                var period = false
                for byte in gap {
                    if byte == UInt8(ascii: "!") { exclamations += 1 }
                    if byte == UInt8(ascii: "!") || byte == UInt8(ascii: "?") || byte == 0x0A { ends = true }
                    if [0x20, 0x09, 0x0D].contains(byte), period { ends = true }
                    if byte == UInt8(ascii: ".") { period = true }
                }
                if ends, index > 0, expected[expected.count - 1].first < index {
                    expected[expected.count - 1].exclamations += exclamations
                    exclamations = 0
                    expected.append((index, 0))
                }
            }
            if let last = view.tokens.last { exclamations += folded[Int(last.end)...].filter { $0 == UInt8(ascii: "!") }.count }
            expected[expected.count - 1].exclamations += exclamations
            let found = analyzer.sentenceStarts(view)
            XCTAssertEqual(found.map(\.firstToken), expected.map(\.first), text)
            XCTAssertEqual(found.map(\.exclamations), expected.map(\.exclamations), text)
            if found.map(\.firstToken) != expected.map(\.first) { return }
        }
    }

}

final class ScorerTests: XCTestCase {
    func evidence(_ weight: Double, hits: Int, label: String = "x/y") -> Evidence {
        Evidence(ruleID: "r\(weight)", label: label, weight: weight,
                 hits: (0..<hits).map { Hit($0 * 10..<$0 * 10 + 5) }, source: .rule(file: "f"))
    }

    func testOneHitInAShortTextScoresItsWeight() {
        XCTAssertEqual(Scorer().scores(for: [evidence(0.6, hits: 1)], titleRange: nil, tokens: 50)["x/y"]!, 0.6, accuracy: 1e-9)
    }

    func testMoreHitsAndMoreRulesRaiseTheScoreWithinBounds() {
        let scorer = Scorer()
        let one = scorer.scores(for: [evidence(0.5, hits: 1)], titleRange: nil, tokens: 50)["x/y"]!
        let four = scorer.scores(for: [evidence(0.5, hits: 4)], titleRange: nil, tokens: 50)["x/y"]!
        let many = scorer.scores(for: (0..<20).map { _ in evidence(0.9, hits: 9) }, titleRange: nil, tokens: 50)["x/y"]!
        XCTAssertGreaterThan(four, one)
        XCTAssertLessThanOrEqual(many, 1)
    }

    func testLongDocumentsNeedMoreEvidence() {
        let scorer = Scorer()
        let short = scorer.scores(for: [evidence(0.6, hits: 1)], titleRange: nil, tokens: 100)["x/y"]!
        let long = scorer.scores(for: [evidence(0.6, hits: 1)], titleRange: nil, tokens: 3_200)["x/y"]!
        XCTAssertLessThan(long, 0.3)
        XCTAssertGreaterThan(short, long)
    }

    func testTitleHitsCountDouble() {
        let scorer = Scorer()
        let body = scorer.scores(for: [evidence(0.4, hits: 1)], titleRange: 100..<120, tokens: 800)["x/y"]!
        let title = scorer.scores(for: [evidence(0.4, hits: 1)], titleRange: 0..<20, tokens: 800)["x/y"]!
        XCTAssertGreaterThan(title, body)
    }

    /// Scores added up by label number (what the engine runs) are the scores by name to the
    /// last bit, whether evidence carries its number, gets it by name, or has a label the rule
    /// set does not number, with counter-evidence, evidence without hits and title hits.
    func testNumberedScoresAreTheScoresByNameToTheLastBit() {
        var generator = SystemRandomNumberGenerator()
        let names = ["a/one", "a/two", "b/three", "b/four", "c/unnumbered"]
        let numbers: [String: Int32] = ["a/one": 0, "a/two": 1, "b/three": 2, "b/four": 3]
        let weights = [-0.9, -0.4, 0, 0.2, 0.55, 0.95, 1]
        let scorer = Scorer()
        var compared = 0
        for _ in 0..<2_000 {
            let evidence: [Evidence] = (0..<Int.random(in: 0...12, using: &generator)).map { index in
                let label = Int.random(in: 0...5, using: &generator) == 0 ? nil : names.randomElement(using: &generator)!
                let hits = (0..<Int.random(in: 0...4, using: &generator)).map { _ in
                    let start = Int.random(in: 0...300, using: &generator)
                    return Hit(start..<start + 3)
                }
                let item = Evidence(ruleID: "r\(index)", label: label, weight: weights.randomElement(using: &generator)!,
                                    hits: hits, source: .rule(file: "f"))
                guard let label, let number = numbers[label], Bool.random(using: &generator) else { return item }
                var numbered = Evidence(ruleID: item.ruleID, label: label, labelNumber: number, weight: item.weight, hits: hits,
                                        source: item.source)
                // Relabelled after it was numbered (a plugin's or a caller's change): the number must not outlive the label.
                if Int.random(in: 0...5, using: &generator) == 0 { numbered.label = Bool.random(using: &generator) ? nil : names.randomElement()! }
                return numbered
            }
            let title: Range<Int>? = Bool.random(using: &generator) ? 0..<100 : nil
            let tokens = Int.random(in: 1...3_000, using: &generator)
            let byName = scorer.scores(for: evidence, titleRange: title, tokens: tokens)
            let (numbered, named) = scorer.numberedScores(for: evidence, titleRange: title, tokens: tokens, labelCount: 4,
                                                          number: { numbers[$0] })
            var merged = named
            for (number, score) in numbered {
                XCTAssertNil(merged.updateValue(score, forKey: names[Int(number)]), "each label once")
            }
            XCTAssertEqual(merged, byName)
            compared += byName.count
        }
        XCTAssertGreaterThan(compared, 2_000)
    }

    func testCounterEvidenceLowersTheScore() {
        let scorer = Scorer()
        let plain = scorer.scores(for: [evidence(0.7, hits: 1)], titleRange: nil, tokens: 50)["x/y"]!
        let damped = scorer.scores(for: [evidence(0.7, hits: 1), evidence(-0.5, hits: 1)], titleRange: nil, tokens: 50)["x/y"]!
        XCTAssertEqual(damped, plain * 0.5, accuracy: 1e-9)
    }
}
