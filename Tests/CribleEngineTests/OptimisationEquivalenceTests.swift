import CribleCore
@testable import CribleEngine
import CribleRules
import Foundation
import PCRE2
import XCTest

/// The prefilter must never change a verdict: every bundled rule's examples, the bundled example
/// documents and a generated corpus give the same evidence with and without it.
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
        let examples = DocumentReader().read(paths: [repositoryRoot.appendingPathComponent("Examples/articles").path])
            .compactMap { item -> Document? in if case .document(let document) = item { document } else { nil } }
        return (texts + generated).enumerated().map { Document(id: "\($0.offset)", body: $0.element) } + examples
    }

    func testPrefilterNeverChangesEvidence() {
        let ruleSet = bundledEngine.ruleSet
        let scratch = MatchScratch()
        var compared = 0
        for document in documents() {
            let text = TextView(document.content)
            for language in ["fr", "en"] {
                let context = DocumentContext(document: document, text: text, language: LanguageGuess(code: language, confidence: 1))
                let fast = ruleSet.evaluate(context, scratch: scratch, usePrefilter: true).evidence
                let full = ruleSet.evaluate(context, scratch: scratch, usePrefilter: false).evidence
                XCTAssertEqual(fast, full, "document \(document.id) (\(language)): \(document.body.prefix(80))")
                compared += 1
            }
        }
        XCTAssertGreaterThan(compared, 1000)
    }
}
