import CribleCore
@testable import CribleRules
import PCRE2
import XCTest

let labelHeader = """
crible: 1
labels:
  test/a: {description: A}
  test/b: {description: B}

"""

/// Compiles rule files given as strings.
func load(_ files: [(String, String)]) -> RuleLoader.Result {
    RuleLoader().load(sources: files.map { (path: $0.0, text: $0.1) })
}

/// Compiles rules given as the body of a `rules:` list, after the test labels, expecting no error.
func compile(_ rules: String, file: StaticString = #filePath, line: UInt = #line) -> CompiledRuleSet {
    let result = load([("f.yaml", labelHeader + "rules:\n" + rules)])
    XCTAssertEqual(result.errors, [], "\(result.errors)", file: file, line: line)
    return result.ruleSet
}

/// Runs a rule set on a text, in a given language, and returns rule id → matched texts.
func matches(_ set: CompiledRuleSet, _ text: String, language: String = "fr", title: String? = nil) -> [String: [String]] {
    let document = Document(id: "t", title: title, body: text, language: language)
    let view = TextView(document.content)
    let context = DocumentContext(document: document, text: view, language: LanguageGuess(code: language, confidence: 1))
    let (evidence, _) = set.evaluate(context, scratch: RuleScratch())
    var found: [String: [String]] = [:]
    for item in evidence { found[item.ruleID] = item.spans.map(view.originalString) }
    return found
}

/// Up to `count` of `pieces` drawn at random, joined by spaces or by nothing (one choice a text):
/// the texts of the property tests that check a skip never loses a match.
func randomText(of pieces: [String], upTo count: Int, using generator: inout SystemRandomNumberGenerator) -> [UInt8] {
    Array((0..<Int.random(in: 0...count, using: &generator))
        .map { _ in pieces.randomElement(using: &generator)! }.joined(separator: Bool.random(using: &generator) ? " " : "").utf8)
}
