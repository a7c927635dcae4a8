import PCRE2
import XCTest

final class RegexTests: XCTestCase {
    func testFindsAllMatchesAsByteRanges() throws {
        let regex = try Regex("\\bdonn[ée]es?\\b")
        let text = "Les données, une donnée, des donnees."
        let ranges = try regex.matches(in: text)
        let bytes = Array(text.utf8)
        XCTAssertEqual(ranges.map { String(decoding: bytes[$0], as: UTF8.self) }, ["données", "donnée", "donnees"])
    }

    func testUnicodeWordBoundariesAndClasses() throws {
        // With UCP, \w covers accented letters, so \b does not split "été".
        let regex = try Regex("\\b\\w+\\b")
        XCTAssertEqual(try regex.matches(in: "été déjà").count, 2)
    }

    func testCompileErrorCarriesMessageAndOffset() {
        XCTAssertThrowsError(try Regex("abc(def")) { error in
            let error = error as! PCRE2Error
            XCTAssertEqual(error.offset, 7)
            XCTAssertTrue(error.message.contains("missing closing parenthesis"), error.message)
            XCTAssertEqual(error.pattern, "abc(def")
        }
    }

    func testEmptyMatchesMakeProgressOverMultibyteCharacters() throws {
        let regex = try Regex("x*")
        XCTAssertTrue(regex.canMatchEmpty)
        let ranges = try regex.matches(in: "éxé")
        XCTAssertTrue(ranges.contains(2..<3))
        XCTAssertFalse(try Regex("x+").canMatchEmpty)
    }

    func testCatastrophicPatternStopsAtItsMatchLimit() throws {
        let regex = try Regex("(a+)+$", limits: Regex.Limits(matchLimit: 10_000, depthLimit: 1_000))
        let subject = String(repeating: "a", count: 40) + "!"
        XCTAssertThrowsError(try regex.matches(in: subject)) { error in
            XCTAssertTrue((error as! PCRE2Error).isResourceLimit, "\(error)")
        }
    }

    func testCaselessOption() throws {
        XCTAssertEqual(try Regex("rgpd", options: .caseless).matches(in: "Le RGPD").count, 1)
        XCTAssertEqual(try Regex("rgpd").matches(in: "Le RGPD").count, 0)
    }

    func testScratchIsReusedAcrossPatternsWithMoreCaptures() throws {
        let scratch = MatchScratch()
        let small = try Regex("a")
        // The back-reference keeps the groups capturing (see the next test).
        let large = try Regex(#"(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)(l)(m)(n)(o)(p)(q)(r)\18?"#)
        XCTAssertEqual(large.captureCount, 18)
        let text = Array("abcdefghijklmnopqr a".utf8)
        try text.withUnsafeBufferPointer { buffer in
            XCTAssertEqual(try small.matches(in: buffer, scratch: scratch).count, 2)
            XCTAssertEqual(try large.matches(in: buffer, scratch: scratch), [0..<18])
        }
    }

    /// Unnamed groups do not capture unless the pattern refers to one; the matches are the same.
    /// A word boundary after leading lookbehinds is tried first; what matches does not change.
    func testBoundaryAfterLeadingLookbehindsMovesFirst() throws {
        func moved(_ pattern: String) -> String? { Regex.boundaryFirst(Array(pattern.utf8)).map { String(decoding: $0, as: UTF8.self) } }
        XCTAssertEqual(moved(#"(?<!je )(?<!j' )\bva\b"#), #"\b(?<!je )(?<!j' )va\b"#)
        XCTAssertEqual(moved(#"(?<=[(\]])(?<!\)a)\bx"#), #"\b(?<=[(\]])(?<!\)a)x"#)
        XCTAssertEqual(moved(#"(?<![]\w])\bx"#), #"\b(?<![]\w])x"#)
        XCTAssertEqual(moved(#"(?<!a|bc)\bx|y"#), #"\b(?<!a|bc)x|y"#)
        XCTAssertNil(moved(#"\bva"#))                       // already first
        XCTAssertNil(moved(#"(?<!je )va\b"#))               // no boundary after the lookbehinds
        XCTAssertNil(moved(#"(?<!je )\Bva"#))               // not a boundary
        XCTAssertNil(moved(#"(?:a)(?<!b)\bx"#))             // a group first, not a lookbehind
        XCTAssertNil(moved(#"(?<!\Q)\E)\bx"#))              // quoted text
        XCTAssertNil(moved(#"(?<!a(?#)\bx"#))               // a comment
        XCTAssertNil(moved(#"(?<!a\bx"#))                   // unclosed: left to PCRE2's error
        let scratch = MatchScratch()
        let text = Array("je va, tu va; ova va. (x )x ]x".utf8)
        for (pattern, expected) in [(#"(?<!je )(?<!j' )\bva\b"#, 2), (#"(?<=[(\]])(?<!\)a)\bx"#, 2), (#"(?<![]\w])\bx"#, 2)] {
            let regex = try Regex(pattern)
            let found = try text.withUnsafeBufferPointer { try regex.matches(in: $0, scratch: scratch) }
            XCTAssertEqual(found.count, expected, pattern)
        }
        // An error still points into the pattern as written: PCRE2 names the start of a
        // lookbehind of variable length, two bytes later in what would be compiled.
        for (pattern, offset) in [(#"(?<!a+)\bx"#, 0), (#"(?<!a)(?<=b\d+)\bx"#, 6)] {
            XCTAssertThrowsError(try Regex(pattern), pattern) { error in
                XCTAssertEqual((error as? PCRE2Error)?.offset, offset, pattern)
            }
        }
    }

    func testGroupsCaptureOnlyWhenSomethingRefersToThem() throws {
        let alternation = try Regex("(foo|bar)+ (baz)")
        XCTAssertEqual(alternation.captureCount, 0)
        XCTAssertEqual(try alternation.matches(in: "foobar baz, bar baz"), [0..<10, 12..<19])
        let backReference = try Regex(#"(\w)\1"#)
        XCTAssertEqual(backReference.captureCount, 1)
        XCTAssertEqual(try backReference.matches(in: "abba cd"), [1..<3])
        let named = try Regex(#"(?<first>a)(b)\2"#)
        XCTAssertEqual(named.captureCount, 2, "a named group would otherwise take number 1")
        XCTAssertEqual(try named.matches(in: "ab abb"), [3..<6])
        XCTAssertEqual(try Regex("(?'x'a)").captureCount, 1)
        let recursion = try Regex(#"\((?:[^()]|(?R))*\)"#)
        XCTAssertEqual(try recursion.matches(in: "f((a)(b))"), [1..<9])
        let lookbehind = try Regex("(?<=a)(b)(?<!c)")
        XCTAssertEqual(lookbehind.captureCount, 0, "a lookbehind is not a named group")
        XCTAssertEqual(try lookbehind.matches(in: "ab cb"), [1..<2])
        XCTAssertThrowsError(try Regex(#"(a)\2"#), "a reference to a missing group is still an error")
        let octal = try Regex(#"(a)\101"#)
        XCTAssertEqual(try octal.matches(in: "aA"), [0..<2], "`\\101` is the octal code of `A` when fewer groups capture")
        let conditional = try Regex(#"(<)?x(?(1)>)"#)
        XCTAssertEqual(try conditional.matches(in: "<x> x"), [0..<3, 4..<5])
    }

    /// Punctuation and symbols leave `\d`, `\s`, `\w` and `\b` unchanged with or without Unicode
    /// properties; letters, digits and spaces outside ASCII do not.
    func testUnicodeNeutralTexts() {
        func neutral(_ text: String) -> Bool { Array(text.utf8).withUnsafeBufferPointer { Regex.isUnicodeNeutral($0) } }
        XCTAssertTrue(neutral("le prix : 12 € « hausse » – voir • ☕ 😀"))
        XCTAssertTrue(neutral(""))
        XCTAssertFalse(neutral("été"))              // letters
        XCTAssertFalse(neutral("code ٧٥٠١١"))        // Arabic-Indic digits are \d with UCP
        XCTAssertFalse(neutral("a\u{2003}b"))       // an em space is \s with UCP
        XCTAssertFalse(neutral("москва"))
        // ASCII is skipped eight bytes at a time: a letter beyond ASCII is found at every offset
        // within and after those words, and a sequence cut at the end still counts as not neutral.
        for offset in 0..<20 {
            let ascii = String(repeating: "x", count: offset)
            XCTAssertFalse(neutral(ascii + "é" + ascii), "é after \(offset) bytes")
            XCTAssertTrue(neutral(ascii + "€" + ascii), "€ after \(offset) bytes")
        }
        XCTAssertFalse(Array("abcdefghijklmnop".utf8 + [0xC3]).withUnsafeBufferPointer { Regex.isUnicodeNeutral($0) })
    }

    /// On a neutral text the ASCII code finds exactly what the Unicode code finds; on other texts
    /// callers keep the Unicode code, which differs.
    func testASCIICodeAgreesOnNeutralTexts() throws {
        let patterns = [#"\b\d{5}\b"#, #"\w+"#, #"\s+"#, #"\b[a-z]+\b"#, #"\W\D\S"#, #"(?<!\w)x"#]
        let texts = ["75011 paris « 12345 » – ok", "a_b-c 123 ☕x €x", "x…x—x", "  tab\there  "]
        let scratch = MatchScratch()
        for pattern in patterns {
            let regex = try Regex(pattern)
            for text in texts {
                let bytes = Array(text.utf8)
                try bytes.withUnsafeBufferPointer { buffer in
                    XCTAssertTrue(Regex.isUnicodeNeutral(buffer), text)
                    XCTAssertEqual(try regex.matches(in: buffer, scratch: scratch, unicodeNeutral: true),
                                   try regex.matches(in: buffer, scratch: scratch), "\(pattern) on \(text)")
                }
            }
        }
        // Where the two would differ, the text is not neutral.
        let digits = try Regex(#"\d+"#)
        let arabic = Array("٧٥٠".utf8)
        try arabic.withUnsafeBufferPointer { buffer in
            XCTAssertFalse(Regex.isUnicodeNeutral(buffer))
            XCTAssertEqual(try digits.matches(in: buffer, scratch: scratch).count, 1)
            XCTAssertEqual(try digits.matches(in: buffer, scratch: scratch, unicodeNeutral: true).count, 0)
        }
    }
}
