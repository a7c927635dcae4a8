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
        let large = try Regex("(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)(l)(m)(n)(o)(p)(q)(r)")
        let text = Array("abcdefghijklmnopqr a".utf8)
        try text.withUnsafeBufferPointer { buffer in
            XCTAssertEqual(try small.matches(in: buffer, scratch: scratch).count, 2)
            XCTAssertEqual(try large.matches(in: buffer, scratch: scratch), [0..<18])
        }
    }
}
