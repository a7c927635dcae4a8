@testable import CribleRules
import CribleCore
import PCRE2
import XCTest

/// The part of a slow pattern searched before it runs (``RegexGuard``) must be in every match:
/// a pattern is skipped where its factor is missing, and a wrong factor would lose matches.
final class RegexGuardTests: XCTestCase {
    func testFactorsOfCommonShapes() {
        XCTAssertEqual(RegexGuard.factor(of: #"(?:\w+\s?)+[^\w\s]{12}"#), #"[^\w\s]{12}"#)
        XCTAssertEqual(RegexGuard.factor(of: #"(\w+\s?)+\d{3}-\d{4}"#), #"\d{3}-\d{4}"#, "a run of items, literal included")
        XCTAssertEqual(RegexGuard.factor(of: #"(?:\w+\s?)+\s*\d{3}\b\s*"#), #"\d{3}"#,
                       "what may be empty, assertions included, is trimmed from the ends")
        XCTAssertEqual(RegexGuard.factor(of: #"(?:\w+\s?)+(?:ab\d{2})"#), #"ab\d{2}"#, "a group that is not repeated is entered")
        XCTAssertEqual(RegexGuard.factor(of: #"(?<code>\d{4})(?:\w+\s?)+"#), #"\d{4}"#, "so is a named one")
        XCTAssertEqual(RegexGuard.factor(of: #"(?:x\d{3}y\s?)+(?:\w+\s?)+"#), #"x\d{3}y"#,
                       "a group repeated at least once holds a factor of its own")
        XCTAssertEqual(RegexGuard.factor(of: #"\d{3}(?:ab)+y{3}"#), "y{3}",
                       #"but not one joined to its neighbours (`123ababyyy` holds no `\d{3}aby{3}`)"#)
        XCTAssertEqual(RegexGuard.factor(of: #"(?:\w+\s?)+é{3}"#), "é{3}", "a character beyond ASCII is one item")
        XCTAssertEqual(RegexGuard.factor(of: #"\d{3}(?:\w+\s?)+[.!?]{4}"#), "[.!?]{4}", "the run matching the most characters wins")
        XCTAssertEqual(RegexGuard.factor(of: #"[.!?]{4}(?:\w+\s?)+\d{4}"#), #"\d{4}"#, "the later one on a tie")
    }

    func testNoFactorIsReadFromWhatTheReadingDoesNotKnow() {
        for pattern in [#"(?:\w+\s?)+$"#, #"(?:\w+\s?)+\d\d"#, #"(?:\w+\s?)+\d{5}|abc"#, #"(\w+\s?)+\d{5}\1"#,
                        #"(?i)(?:\w+\s?)+\d{5}"#, #"(?:\w+\s?)+\Q(\E\d{5}"#, #"(*UCP)(?:\w+\s?)+\d{5}"#,
                        #"(?:\w+\s?)+(?(1)a|b)\d{5}"#, #"\G(?:\w+\s?)+\d{5}"#, #"(?:\w+\s?)+\K\d{5}"#,
                        #"(?:\w+\s?)*(?:abc)?"#, #"(?=\d{5})(?:\w+\s?)+"#, #"(?:\w+\s?)+x{2,"#,
                        #"(?:\w+\s?)+[\Q]\E]{3}"#, #"(?:\w+\s?)+\d{2,x}"#] {
            XCTAssertNil(RegexGuard.factor(of: pattern), pattern)
        }
        XCTAssertEqual(RegexGuard.factor(of: #"(?:(\w)+\s?)+[^\w\s]{3}(?:x|y)"#), #"[^\w\s]{3}"#,
                       "an alternation inside a group only keeps that group out")
    }

    /// Random texts, and patterns of the risky shape with a factor: wherever the pattern matches,
    /// its factor does (a factor read from an optional part, or across an alternation, fails).
    func testAFactorIsFoundWhereverItsPatternMatches() throws {
        let patterns = [#"(?:\w+\s?)+[^\w\s]{3}"#, #"(?:\w+\s?)+\d{2}-\d{2}"#, #"(?:a+b?)+(?:xy\d{2})z?"#,
                        #"(?:\w+\s?)+\s*\b\d{3}\b"#, #"(?:x\d{3}y\s?)+(?:\w+\s?)+"#, #"(?:\w+\s?)+(?>\d+)x{2}"#,
                        #"(?:\w+\s?)+\.{3}(?:a|\d)"#, #"(?:[ab]+\s?)+(?<n>\d{3})"#,
                        #"(?:\w+\s?)+(?:\d{3}-)?[!?.]{3}"#]
        let regexes = try patterns.map { try Regex($0, limits: Regex.Limits(matchLimit: 5_000_000, depthLimit: 100_000)) }
        let factors = try patterns.map { pattern in try Regex(XCTUnwrap(RegexGuard.factor(of: pattern), pattern)) }
        let pieces = ["a", "b", "ab", "x", "y", "z", "1", "22", "333", "-", ".", "...", "!?", "é", " ", "x123y", "xy12"]
        var generator = SystemRandomNumberGenerator()
        let scratch = MatchScratch()
        var matched = 0, excluded = 0
        for _ in 0..<10_000 {
            let text = randomText(of: pieces, upTo: 6, using: &generator)
            for (index, regex) in regexes.enumerated() {
                // A text long enough to exhaust the limit decides nothing (the engine would run the pattern).
                guard let patternMatches = try? text.withUnsafeBufferPointer({ try !regex.matches(in: $0, scratch: scratch, limit: 1).isEmpty }) else {
                    continue
                }
                let factorMatches = try text.withUnsafeBufferPointer { try !factors[index].matches(in: $0, scratch: scratch, limit: 1).isEmpty }
                if patternMatches {
                    matched += 1
                    XCTAssertTrue(factorMatches, "\(patterns[index]) matches \(String(decoding: text, as: UTF8.self))")
                    if !factorMatches { return }
                } else if !factorMatches {
                    excluded += 1
                }
            }
        }
        XCTAssertGreaterThan(matched, 2_000, "the texts must hold matches for the check to mean something")
        XCTAssertGreaterThan(excluded, 10_000, "and the factors must still rule texts out")
    }

    /// A rule set skips a slow pattern where its factor is missing, and finds the same matches
    /// with the skip as without it; the pattern that has no factor still runs everywhere.
    func testARuleSetSkipsASlowPatternOnlyWhereItsFactorIsMissing() throws {
        let result = load([("slow.yaml", labelHeader + """
            rules:
              - id: slow
                label: test/a
                description: d
                regex: ['(?:\\w+\\s?)+[!?]{3}', '(?:\\w+\\s?)+$']
            """)])
        XCTAssertEqual(result.errors, [], "\(result.errors)")
        let ruleSet = result.ruleSet
        XCTAssertNotNil(ruleSet.guards[0])
        XCTAssertNil(ruleSet.guards[1], "nothing to read from the second pattern")
        let scratch = RuleScratch()
        for text in ["Vraiment incroyable !!! On y retourne", "Rien à signaler, fin de l'article.",
                     "Une phrase sans fin", "Trois points?!? et encore !!", String(repeating: "mot ", count: 300) + "."] {
            let document = Document(id: "t", body: text, language: "fr")
            let context = DocumentContext(document: document, text: TextView(document.content), language: LanguageGuess(code: "fr", confidence: 1))
            let fast = ruleSet.evaluate(context, scratch: scratch, optimised: true)
            let full = ruleSet.evaluate(context, scratch: scratch, optimised: false)
            XCTAssertEqual(fast.evidence, full.evidence, text)
        }
        // Where the factor is missing, the first pattern is not run: no issue from its limit.
        let long = String(repeating: "mot ", count: 300) + "."
        let document = Document(id: "t", body: long, language: "fr")
        let context = DocumentContext(document: document, text: TextView(document.content), language: LanguageGuess(code: "fr", confidence: 1))
        let issues = ruleSet.evaluate(context, scratch: scratch, optimised: true).issues.map(\.message)
        let unoptimisedIssues = ruleSet.evaluate(context, scratch: scratch, optimised: false).issues.map(\.message)
        XCTAssertEqual(issues.count, 1, "only the pattern without a factor spends its limit: \(issues)")
        XCTAssertEqual(unoptimisedIssues.count, 2, "both do when nothing is skipped: \(unoptimisedIssues)")
    }
}
