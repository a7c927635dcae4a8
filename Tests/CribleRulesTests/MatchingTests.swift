import CribleCore
import PCRE2
@testable import CribleRules
import XCTest

final class MatchingTests: XCTestCase {
    /// Composites of every shape (all; any with a count; any with none; composites of
    /// composites) fire as they must, and the same when only the composites a fired rule
    /// triggers are checked as when all are.
    func testCompositesFireTheSameWhetherTriggeredOrAllChecked() {
        let result = load([("f.yaml", labelHeader + """
        rules:
          - {id: w.alpha, description: a word, keywords: [alpha]}
          - {id: w.beta, description: a word, keywords: [beta]}
          - {id: w.gamma, description: a word, keywords: [gamma]}
          - {id: c.all, description: both, label: test/a, all: [w.alpha, w.beta]}
          - {id: c.two, description: two of, label: test/a, any: [w.beta, w.gamma], at_least: 2}
          - {id: c.not-gamma, description: one without, label: test/b, any: [w.alpha, w.beta], none: [w.gamma]}
          - {id: c.chain, description: of a composite, label: test/b, all: [c.all], none: [w.gamma]}
          - {id: c.either, description: of composites, label: test/b, any: [c.not-gamma, c.two]}
        """)])
        XCTAssertEqual(result.errors, [], "\(result.errors)")
        let expected: [String: Set<String>] = [
            "alpha beta": ["w.alpha", "w.beta", "c.all", "c.not-gamma", "c.chain", "c.either"],
            "beta gamma": ["w.beta", "w.gamma", "c.two", "c.either"],
            "alpha": ["w.alpha", "c.not-gamma", "c.either"],
            "alpha beta gamma": ["w.alpha", "w.beta", "w.gamma", "c.all", "c.two", "c.either"],
            "gamma": ["w.gamma"],
            "rien ici": [],
        ]
        for (text, rules) in expected {
            let document = Document(id: "t", body: text, language: "fr")
            let context = DocumentContext(document: document, text: TextView(document.content),
                                          language: LanguageGuess(code: "fr", confidence: 1))
            let triggered = result.ruleSet.evaluate(context, scratch: RuleScratch()).evidence
            let checked = result.ruleSet.evaluate(context, scratch: RuleScratch(), optimised: false).evidence
            XCTAssertEqual(Set(triggered.map { $0.ruleID }), rules, text)
            XCTAssertEqual(triggered, checked, text)
        }
    }

    func testKeywordsAreFoldedWordBoundedAndHandleElision() {
        let set = compile("""
          - {id: ia, label: test/a, description: d, keywords: [IA, "données personnelles"]}
        """)
        XCTAssertEqual(matches(set, "L’IA et les DONNÉES personnelles; via une IAE ou diagonale")["ia"], ["IA", "DONNÉES personnelles"])
    }

    /// Single ASCII words skip the text view when they become phrases; both ways must agree.
    func testPhraseShortcutAgreesWithTheTextView() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("abcXYZmnoQ0189   ")
        var samples = ["IA", "nul*", "Covid19", "abc123*", "x", "2024", "ÉTÉ", "*", "", "d'accord", "e-mail*", "a*b", "**",
                       "open source", "Large Language Model*", "a  b", " a", "a ", "a *", "de la foi*", "a* b"]
        for _ in 0..<300 {
            let length = Int.random(in: 1...9, using: &generator)
            var word = String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
            if Bool.random(using: &generator) { word += "*" }
            samples.append(word)
        }
        for sample in samples {
            let quick = Phrase(sample), general = Phrase(viewing: sample)
            XCTAssertEqual(quick?.tokens, general?.tokens, sample)
            XCTAssertEqual(quick?.originalTokens, general?.originalTokens, sample)
            XCTAssertEqual(quick?.prefixes, general?.prefixes, sample)
        }
    }

    /// The phrase index (first-word table, first-two-words table, prefix tables and their bit
    /// filters) finds exactly what comparing every phrase at every token finds.
    func testPhraseIndexAgreesWithComparingEveryPhraseEverywhere() {
        let terms = ["de", "de bonne foi", "de bonne", "de bon*", "de*", "bonne foi", "a la hauteur", "a la", "a",
                     "à la hauteur de", "la*", "hauteur", "foi", "n'a aucun intérêt", "aucun", "aucun intér*",
                     "bon", "bonne", "l'ia", "ia générative", "ia", "gén*", "de la", "la", "de la foi",
                     // Prefixes sharing their first bytes at many lengths, up to and past 31 bytes.
                     "i*", "int*", "intér*", "intérieu*", "anticonstitutionnellementextra*",
                     "anticonstitutionnellementextraor*", "anticonstitutionnellementextraordinair*",
                     // Prefixes beyond ASCII, of two bytes (looked up by hash, as one of one byte is) and of four.
                     "ж*", "жу*", "ж",
                     // Listed again, as several rules list the same words: checked once, reported for each.
                     "ia", "de bon*", "a la", "La", "IA générative", "de"]
        var index = PhraseIndex<Int>()
        var phrases: [Phrase] = []
        for (number, term) in terms.enumerated() {
            guard let phrase = Phrase(term) else { continue }
            index.insert(phrase, payload: number)
            phrases.append(phrase)
        }
        let words = ["de", "bonne", "foi", "a", "la", "hauteur", "n'a", "aucun", "intérêt", "intérieur", "bon",
                     "bons", "l'IA", "générative", "générale", "DE", "La", "x", "foie", "lala", "int", "in",
                     "anticonstitutionnellementextraordinaire", "anticonstitutionnellementextraor",
                     "anticonstitutionnellementextr", "anticonstitutionnellementextraordinairement",
                     "ж", "жук", "жу", "жa", "iж"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let text = TextView((0..<Int.random(in: 1...40, using: &generator))
                .map { _ in words.randomElement(using: &generator)! }.joined(separator: " "))
            func token(_ position: Int) -> ArraySlice<UInt8> {
                text.folded[Int(text.tokens[position].start)..<Int(text.tokens[position].end)]
            }
            var expected: [[Int]] = []
            for start in text.tokens.indices {
                for (entry, phrase) in phrases.enumerated() where start + phrase.tokens.count <= text.tokens.count {
                    let fits = phrase.tokens.indices.allSatisfy { offset in
                        phrase.prefixes[offset] ? token(start + offset).starts(with: phrase.tokens[offset])
                            : token(start + offset).elementsEqual(phrase.tokens[offset])
                    }
                    if fits { expected.append([start, entry, start + phrase.tokens.count - 1]) }
                }
            }
            let found = index.matches(in: text).map { [$0.firstToken, Int($0.entry), $0.lastToken] }
            XCTAssertEqual(found.sorted { $0.lexicographicallyPrecedes($1) }, expected.sorted { $0.lexicographicallyPrecedes($1) },
                           text.foldedString)
        }
    }

    /// One walk for two indexes gives each index exactly its own matches, in its own order (less
    /// the entries of the first it was told to leave out):
    /// phrases both list (checked once, reported for both), prefixes of equal length from either,
    /// and pairs that one index starts with a word the other has alone.
    func testASearchOfTwoIndexesGivesEachItsOwnMatchesInTheirOrder() {
        let terms = ["de", "de bonne foi", "de bon*", "de*", "bonne foi", "a la hauteur", "a la", "a", "la*", "hauteur",
                     "foi", "aucun", "aucun intér*", "bon", "bonne", "l'ia", "ia générative", "ia", "gén*", "de la",
                     "la", "i*", "int*", "intér*", "inté*", "intérieu*", "bo*", "b*", "fo*"]
        let words = ["de", "bonne", "foi", "a", "la", "hauteur", "aucun", "intérêt", "intérieur", "bon", "bons",
                     "l'IA", "générative", "générale", "foie", "int", "in", "IA", "bo", "b"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            var first = PhraseIndex<Int>(), second = PhraseIndex<String>()
            for _ in 0..<Int.random(in: 0...20, using: &generator) {
                let term = terms.randomElement(using: &generator)!
                first.insert(Phrase(term)!, payload: first.count)
            }
            for _ in 0..<Int.random(in: 0...20, using: &generator) {
                let term = terms.randomElement(using: &generator)!
                second.insert(Phrase(term)!, payload: term)
            }
            // Half the time, some of the first index's entries are left out of the search (as a
            // rule set leaves out the rules of other languages): the others' matches stay as they were.
            let kept: [Bool]? = Bool.random(using: &generator)
                ? (0..<first.count).map { _ in Bool.random(using: &generator) } : nil
            let search = PhraseSearch(first, second, keepingFirst: kept)
            for _ in 0..<20 {
                let text = TextView((0..<Int.random(in: 1...30, using: &generator))
                    .map { _ in words.randomElement(using: &generator)! }.joined(separator: " "))
                func triples(_ matches: [PhraseMatch]) -> [[Int]] { matches.map { [$0.firstToken, Int($0.entry), $0.lastToken] } }
                let (foundFirst, foundSecond) = search.matches(in: text)
                let expectedFirst = first.matches(in: text).filter { kept?[Int($0.entry)] ?? true }
                XCTAssertEqual(triples(foundFirst), triples(expectedFirst), text.foldedString)
                XCTAssertEqual(triples(foundSecond), triples(second.matches(in: text)), text.foldedString)
            }
        }
    }

    /// At one token, prefixes match shortest first, whatever the order they were added in:
    /// a prefix of three bytes and longer ones that share its bytes (kept apart by the matcher,
    /// the first by three bytes, the others by four) come out as one list by length.
    func testPrefixMatchesAtATokenComeShortestFirst() {
        var index = PhraseIndex<String>()
        for term in ["intér*", "intérieu*", "int*", "inté*", "intérieur", "in*"] { index.insert(Phrase(term)!, payload: term) }
        let matches = index.matches(in: TextView("intérieur"))
        XCTAssertEqual(matches.map { index.payload(of: $0) }, ["intérieur", "in*", "int*", "inté*", "intér*", "intérieu*"])
        XCTAssertEqual(index.matches(in: TextView("int")).map { index.payload(of: $0) }, ["in*", "int*"])
        XCTAssertEqual(index.matches(in: TextView("inte")).map { index.payload(of: $0) }, ["in*", "int*", "inté*"])
    }

    func testAPhraseListedTwiceIsReportedForEachEntryInTheOrderAdded() {
        var index = PhraseIndex<String>()
        for (term, owner) in [("ia", "first"), ("IA générative", "pair"), ("ia", "second"), ("ia", "third")] {
            index.insert(Phrase(term)!, payload: owner)
        }
        let matches = index.matches(in: TextView("L'IA générative"))
        XCTAssertEqual(matches.map { index.payload(of: $0) }, ["first", "pair", "second", "third"])
        XCTAssertEqual(matches.map(\.firstToken), [1, 1, 1, 1])
        XCTAssertEqual(matches.map(\.lastToken), [1, 2, 1, 1])
    }

    /// Phrases that start with the same prefix share its entry, which the walk reads from a copy:
    /// each phrase added to it later is found too.
    func testPhrasesSharingAPrefixAreAllFound() {
        var index = PhraseIndex<String>()
        for (term, payload) in [("régul*", "alone"), ("régul* du marché", "market"), ("régul* des prix", "prices"), ("régul*", "again")] {
            index.insert(Phrase(term)!, payload: payload)
        }
        let payloads = index.matches(in: TextView("La régulation du marché")).map { index.payload(of: $0) }
        XCTAssertEqual(payloads, ["alone", "market", "again"])
    }

    /// Lists of owners and of candidates move as they outgrow their room: a phrase listed by
    /// twenty entries, and twenty phrases starting with one word, each list interleaved with the
    /// other so that every move leaves something behind it, are all reported, in order.
    func testLongListsOfOwnersAndCandidatesKeepEveryEntry() {
        var index = PhraseIndex<String>()
        for number in 0..<20 {
            index.insert(Phrase("ia")!, payload: "ia \(number)")
            index.insert(Phrase("modele \(number)")!, payload: "modele \(number)")
        }
        let text = TextView("IA : modele 3, modele 17, modele 0.")
        let payloads = index.matches(in: text).map { index.payload(of: $0) }
        XCTAssertEqual(payloads, (0..<20).map { "ia \($0)" } + ["modele 3", "modele 17", "modele 0"])
    }

    func testPrefixKeywordsMatchWholeWords() {
        let set = compile("""
          - {id: r, label: test/a, description: d, keywords: ["régul*", "intelligence artific*"]}
        """)
        XCTAssertEqual(matches(set, "Les régulateurs et l'Intelligence Artificielle, pas la règle")["r"],
                       ["régulateurs", "Intelligence Artificielle"])
    }

    func testLongestPhraseWinsInsideOneRule() {
        let set = compile("""
          - {id: r, label: test/a, description: d, keywords: [IA, "IA générative"]}
        """)
        XCTAssertEqual(matches(set, "L'IA générative et l'IA")["r"], ["IA générative", "IA"])
    }

    func testCaseSensitiveKeywords() {
        let set = compile("""
          - {id: r, label: test/a, description: d, case_sensitive: true, keywords: [IA]}
        """)
        XCTAssertEqual(matches(set, "ia IA Ia")["r"], ["IA"])
    }

    func testRegexRunsOnTheFoldedTextAndReportsOriginalSpans() {
        let set = compile("""
          - {id: r, label: test/a, description: d, regex: '\\bDonnées? de santé\\b'}
        """)
        XCTAssertEqual(matches(set, "Ses DONNE\u{301}ES DE SANTÉ")["r"], ["DONNE\u{301}ES DE SANTÉ"])
    }

    func testNearRequiresBothWithinTheDistance() {
        let set = compile("""
          - id: r
            label: test/a
            description: d
            near: {a: [IA], b: ["emploi*"], within: 3}
        """)
        XCTAssertEqual(matches(set, "L'IA menace des emplois")["r"], ["IA", "emplois"])
        XCTAssertNil(matches(set, "L'IA est partout et dans tous les secteurs de l'économie, y compris les emplois")["r"])
    }

    func testCompositesAndHelperRules() {
        let set = compile("""
          - {id: _ai, description: d, keywords: [IA]}
          - {id: _privacy, description: d, keywords: [RGPD]}
          - {id: _report, description: d, keywords: [selon]}
          - {id: c, label: test/a, description: d, all: [_ai, _privacy], none: [_report]}
          - {id: two, label: test/b, description: d, any: [_ai, _privacy, _report], at_least: 2}
        """)
        XCTAssertEqual(matches(set, "L'IA et le RGPD")["c"], ["IA", "RGPD"])
        XCTAssertNil(matches(set, "Selon eux, l'IA et le RGPD")["c"])
        XCTAssertNotNil(matches(set, "Selon eux, l'IA")["two"])
        XCTAssertNil(matches(set, "l'IA")["two"])
    }

    func testLanguageGatingScopeAndMinimumCount() {
        let set = compile("""
          - {id: fr, label: test/a, description: d, lang: [fr], keywords: [match]}
          - {id: title, label: test/a, description: d, where: title, keywords: [match]}
          - {id: twice, label: test/a, description: d, min_count: 2, keywords: [match]}
        """)
        XCTAssertNotNil(matches(set, "match", language: "fr")["fr"])
        XCTAssertNil(matches(set, "match", language: "en")["fr"])
        XCTAssertNotNil(matches(set, "match", language: "und")["fr"], "an undetermined language runs every rule")
        XCTAssertNil(matches(set, "un match")["title"])
        XCTAssertNotNil(matches(set, "rien", title: "Le match")["title"])
        XCTAssertNil(matches(set, "un match")["twice"])
        XCTAssertEqual(matches(set, "un match, deux match")["twice"]?.count, 2)
    }

    /// The fold writes bytes; it must give what folding each literal character on its own, as a
    /// string, gives, on patterns mixing escapes, `\Q…\E`, group names, accents, ligatures,
    /// capitals and characters the text view drops.
    func testRegexFoldingAgreesWithAFoldCharacterByCharacter() {
        func referenceFold(_ pattern: String) -> String {
            RegexFolding.scalars(of: pattern).map { $0.folds ? TextView(String($0.scalar)).foldedString : String($0.scalar) }.joined()
        }
        var generator = SystemRandomNumberGenerator()
        let pieces = ["\\b", "\\p{Lu}", "\\x{E9}", "\\Q", "\\E", "\\N{U+00E9}", "\\g<1>", "\\k<Nom>", "(?<Nom>", "(?P<Nom>",
                      "(?P=Nom)", "(?'Nom'", "(?<=É)", "(?<!é)", "(?:", ")", "[À-É]", "É", "é", "e\u{301}", "œ", "ﬁ", "ß", "Ω",
                      "’", "\u{AD}", "\u{200B}", "DONNÉES", "a", "Z", "|", "*", "\\", "€", "😀", " "]
        var patterns = ["\\bÉté\\p{Lu}(?<Nom>X)\\x{E9}", "\\QÉté (?<x>\\E", "(?", "(?P", "\\", "(?<=", "\\p"]
        for _ in 0..<3_000 {
            patterns.append((0..<Int.random(in: 0...12, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined())
        }
        for pattern in patterns {
            XCTAssertEqual(RegexFolding.fold(pattern), referenceFold(pattern), pattern)
        }
    }

    func testRegexFoldingLeavesEscapesAndNamesAlone() {
        XCTAssertEqual(RegexFolding.fold("\\bÉté\\p{Lu}(?<Nom>X)\\x{E9}"), "\\bete\\p{Lu}(?<Nom>x)\\x{E9}")
    }

    func testPolicyPicksTheMostSevereAction() {
        let (policy, diagnostics) = Policy.parse("""
        crible: 1
        actions:
          - {id: r, labels: ["moderation/*"], min_score: 0.4, action: review}
          - {id: b, labels: [moderation/hate], min_score: 0.8, action: block}
        """, path: "p.yaml")
        XCTAssertEqual(diagnostics, [])
        let (action, reasons) = policy!.decide([LabelScore(label: "moderation/hate", score: 0.9),
                                                LabelScore(label: "topic/sport", score: 0.9)])
        XCTAssertEqual(action, .block)
        XCTAssertEqual(reasons.map(\.policyRule), ["b", "r"])
        XCTAssertEqual(policy!.decide([LabelScore(label: "moderation/hate", score: 0.3)]).0, .allow)
    }

    /// A rule's labels match a label exactly, by namespace (`moderation/*`) or all (`*`): every
    /// pair of these patterns and labels, against that definition written out, after the labels
    /// of a rule are changed too.
    func testActionRulesMatchLabelsByNameNamespaceOrAll() {
        let labels = ["moderation/hate", "moderation/hater", "moderation", "moderation/", "topic/sport", "mod/hate", "m",
                      "", "lang/fr", "sentiment/negative", "Moderation/hate", "modération/haine"]
        let patternSets = [["moderation/*"], ["moderation/hate"], ["*"], ["topic/sport", "moderation/*"], ["/*"], [""],
                           ["m"], ["modération/*"], [], ["lang/*", "moderation/hate", "sentiment/*"]]
        func expected(_ patterns: [String], _ label: String) -> Bool {
            patterns.contains { pattern in
                pattern == "*" || (pattern.hasSuffix("/*") ? Array(label.utf8).starts(with: Array(pattern.utf8.dropLast()))
                                                            : Array(pattern.utf8) == Array(label.utf8))
            }
        }
        for patterns in patternSets {
            var rule = Policy.ActionRule(id: "r", labels: ["topic/*"], minScore: 0, action: .review)
            rule.labels = patterns
            let fresh = Policy.ActionRule(id: "r", labels: patterns, minScore: 0, action: .review)
            for label in labels {
                XCTAssertEqual(rule.applies(to: label), expected(patterns, label), "\(patterns) on \(label.debugDescription)")
                XCTAssertEqual(fresh.applies(to: label), expected(patterns, label), "\(patterns) on \(label.debugDescription)")
            }
        }
    }

    func testPolicyErrorsNameTheirPlace() {
        let (policy, diagnostics) = Policy.parse("crible: 1\nactions:\n  - {labels: [x], action: destroy}\n", path: "p.yaml")
        XCTAssertNil(policy)
        XCTAssertEqual(diagnostics.first?.line, 3)
        XCTAssertEqual(diagnostics.first?.code, "E003")
    }
}

final class PhraseTests: XCTestCase {
    func testAnyWordOfAPhraseCanBeAPrefix() {
        let result = load([("f.yaml", labelHeader + """
        rules:
          - {id: r, label: test/a, description: d, keywords: ["journaliste* arrêté*"]}
        """)])
        XCTAssertEqual(matches(result.ruleSet, "Deux journalistes arrêtés, une journaliste arrêtée, un journal arrêté")["r"],
                       ["journalistes arrêtés", "journaliste arrêtée"])
    }
}

/// Each job's evidence has origins of its own (see `RuleScratch.ownEvidenceTemplates`): equal
/// evidence, no shared reference count between two scratches, the same origins from one scratch
/// from one document to the next, and new ones for another rule set.
final class EvidenceOriginTests: XCTestCase {
    func testEachScratchGivesEqualEvidenceWithOriginsOfItsOwn() {
        let set = compile("""
          - {id: ia, label: test/a, description: d, keywords: [IA]}
          - {id: donnees, label: test/b, description: d, keywords: ["données personnelles"]}
        """)
        let other = compile("""
          - {id: ia, label: test/a, description: d, keywords: [IA]}
        """)
        let document = Document(id: "t", body: "L'IA et les données personnelles.", language: "fr")
        let context = DocumentContext(document: document, text: TextView(document.content), language: LanguageGuess(code: "fr", confidence: 1))
        let first = RuleScratch(), second = RuleScratch()
        let fromFirst = set.evaluate(context, scratch: first).evidence
        let fromSecond = set.evaluate(context, scratch: second).evidence
        XCTAssertEqual(fromFirst.map { $0.ruleID }, ["ia", "donnees"])
        XCTAssertEqual(fromFirst, fromSecond)
        for (a, b) in zip(fromFirst, fromSecond) { XCTAssertFalse(a.sharesOrigin(with: b), a.ruleID) }
        let again = set.evaluate(context, scratch: first).evidence
        for (a, b) in zip(fromFirst, again) { XCTAssertTrue(a.sharesOrigin(with: b), a.ruleID) }
        let fromOther = other.evaluate(context, scratch: first).evidence
        XCTAssertEqual(fromOther.map { $0.ruleID }, ["ia"])
        XCTAssertEqual(fromOther.first?.label, "test/a")
        XCTAssertFalse(fromOther[0].sharesOrigin(with: fromFirst[0]))
        XCTAssertEqual(set.evaluate(context, scratch: first).evidence, fromFirst)
    }
}
