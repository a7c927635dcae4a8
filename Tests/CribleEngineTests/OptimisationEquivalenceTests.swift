import CribleCore
@testable import CribleEngine
import CribleRules
import Foundation
import PCRE2
import XCTest

/// The rules' optimisations (the literal prefilter, the runs of digits a pattern needs and the
/// digits it needs within a stretch, the ASCII code of patterns, tries only where a pattern's
/// leading words start a word, only the composites that fired rules trigger; the parts of slow
/// patterns searched first are checked in `RegexGuardTests`) must never change a verdict: every bundled rule's
/// examples, the bundled example documents and a generated corpus give the same evidence with
/// and without them.
final class OptimisationEquivalenceTests: XCTestCase {
    func documents() -> [Document] {
        var texts: [String] = []
        for rule in bundledEngine.ruleSet.rules {
            for example in rule.definition.examples.match + rule.definition.examples.noMatch {
                texts.append(example.value.replacingOccurrences(of: "↓", with: ""))
            }
        }
        // Generated documents: runs of examples glued together, so patterns meet each other's text.
        var generated: [String] = []
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            generated.append((0..<8).map { _ in texts.randomElement(using: &generator)! }.joined(separator: " "))
        }
        // Texts where Unicode and ASCII classes differ (digits, letters and spaces outside ASCII)
        // next to texts where they cannot, so both kinds of regex code are compared.
        generated += [
            "Il habite au 12 rue des Lilas, ٧٥٠١١ Paris. Appelez le +44 7911 123456.",
            "Adresse : 3 bis avenue Jean Jaurès 69007 Lyon « vite » – merci ☕",
            "Écrivez à jean [at] gmail [dot] com\u{2003}ou marie arobase orange point fr",
            "Москва: 12 rue des Lilas, 75011 Paris, (555) 123-4567",
            "Prix : 12 € — « 75011 » • contact : jean (at) exemple (dot) fr",
            // Leading words glued to a letter, a digit, `_` or a letter beyond ASCII.
            "xcette conne, _cette conne, 9cette conne, Ωcette conne, «cette conne», éces connards, quel_con",
            "Ωquel con ! les images générées par l'IA, ximages générées par l'IA, 3 bis rue des Lilas 75011",
        ]
        let examples = DocumentReader().read(paths: [repositoryRoot.appendingPathComponent("Examples/articles").path])
            .compactMap { item -> Document? in if case .document(let document) = item { document } else { nil } }
        return (texts + generated).enumerated().map { Document(id: "\($0.offset)", body: $0.element) } + examples
    }

    /// Calls `body` with each of ``documents()`` read as French, then as English; returns how
    /// many readings there were.
    func forEachReading(_ body: (_ document: Document, _ language: String, _ context: DocumentContext) -> Void) -> Int {
        var readings = 0
        for document in documents() {
            let text = TextView(document.content)
            for language in ["fr", "en"] {
                body(document, language, DocumentContext(document: document, text: text, language: LanguageGuess(code: language, confidence: 1)))
                readings += 1
            }
        }
        return readings
    }

    func testOptimisationsNeverChangeEvidence() {
        let ruleSet = bundledEngine.ruleSet
        let scratch = RuleScratch()
        let compared = forEachReading { document, language, context in
            let fast = ruleSet.evaluate(context, scratch: scratch, optimised: true).evidence
            let full = ruleSet.evaluate(context, scratch: scratch, optimised: false).evidence
            XCTAssertEqual(fast, full, "document \(document.id) (\(language)): \(document.body.prefix(80))")
        }
        XCTAssertGreaterThan(compared, 1000)
    }

    /// A ``RuleScratch`` kept from document to document (as each job of a batch keeps one) gives
    /// every document the evidence a fresh one gives: nothing of a document is left for the next.
    func testAScratchKeptAcrossDocumentsGivesWhatAFreshOneGives() {
        let ruleSet = bundledEngine.ruleSet
        let kept = RuleScratch()
        let compared = forEachReading { document, language, context in
            XCTAssertEqual(ruleSet.evaluate(context, scratch: kept).evidence,
                           ruleSet.evaluate(context, scratch: RuleScratch()).evidence, "document \(document.id) (\(language))")
        }
        XCTAssertGreaterThan(compared, 1000)
    }

    /// The one walk of the tokens for the rules' phrases and the sentiment lexicon's terms finds
    /// exactly what the two walks find, in the same order, and so the same evidence and sentiment.
    func testOneWalkForRulesAndLexiconFindsWhatTwoWalksFind() {
        let ruleSet = bundledEngine.ruleSet
        let scratch = RuleScratch()
        let analyzer = SentimentAnalyzer()
        func triples(_ matches: [PhraseMatch]) -> [[Int]] { matches.map { [$0.firstToken, Int($0.entry), $0.lastToken] } }
        let compared = forEachReading { document, language, context in
            let text = context.text
            let lexicon = ruleSet.lexicons[language]!
            let walked = ruleSet.phraseMatches(in: text, language: language)
            XCTAssertEqual(triples(walked.lexiconTerms ?? []), triples(lexicon.terms.matches(in: text)), "document \(document.id) (\(language))")
            XCTAssertEqual(ruleSet.evaluate(context, scratch: scratch, phraseMatches: walked).evidence,
                           ruleSet.evaluate(context, scratch: scratch).evidence, "document \(document.id) (\(language))")
            XCTAssertEqual(analyzer.analyze(text, lexicon: lexicon, termMatches: walked.lexiconTerms),
                           analyzer.analyze(text, lexicon: lexicon), "document \(document.id) (\(language))")
        }
        XCTAssertGreaterThan(compared, 1000)
    }
}
