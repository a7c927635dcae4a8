@testable import CribleRules
import XCTest

final class PrefilterTests: XCTestCase {
    func atoms(_ pattern: String) -> [String]? {
        RegexAtoms.requiredLiterals(of: pattern)?.map { String(decoding: $0, as: UTF8.self) }.sorted()
    }

    func testRequiredLiteralsOfCommonShapes() {
        XCTAssertEqual(atoms(#"\bdonnees? de sante\b"#), ["donnee de sante", "donnees de sante"])
        XCTAssertEqual(atoms(#"\b(?:rancongiciel|ransomware)s?\b"#), ["rancongiciel", "rancongiciels", "ransomware", "ransomwares"])
        XCTAssertEqual(atoms(#"[a-z0-9.]+@[a-z0-9-]+\.[a-z]{2,}"#), ["@"], "`@` is rare in prose: worth filtering on alone")
        XCTAssertEqual(atoms(#"[a-z]+\.(?:xyz|top|tk)\b"#), [".tk", ".top", ".xyz"], "adjacent exact pieces combine")
        XCTAssertEqual(atoms(#"\b(?:de|la) [0-9]+"#), nil, "two-letter words occur in every text")
        XCTAssertEqual(atoms(#"\bwww\.[a-z]+"#), ["www."])
        XCTAssertEqual(atoms(#"\b[a-z0-9][a-z0-9._%+-]*@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.[a-z]{2,24}\b"#), ["@"])
        XCTAssertEqual(atoms(#"(?<![\w+])\+(?!33)(?=(?:[ .()-]{0,2}\d){8,15})[1-9]\d{0,2}"#), (1...9).map { "+\($0)" })
        XCTAssertEqual(atoms(#"(?:foo|ba)bar"#), ["babar", "foobar"])
        XCTAssertEqual(atoms(#"(?:foo|x*)bar"#), ["bar"])
        XCTAssertEqual(atoms(#"(?:foo|x*)"#), nil, "a branch without a literal")
        XCTAssertEqual(atoms(#"(?i)abc"#), nil, "inline options: always run")
        XCTAssertEqual(atoms(#"abcd?"#), ["abc", "abcd"])
        XCTAssertEqual(atoms(#"\b(?:[1-9]|1[0-2]) ?ans\b"#)?.count, 24, "small classes and `?` expand")
        XCTAssertEqual(atoms(#"[^abc]xyz"#), ["xyz"], "a negated class is not a set of strings")
        XCTAssertEqual(atoms(#"(?=abc)def"#), ["def"])
    }

    func testTheAutomatonFindsOverlappingAtoms() {
        let automaton = AhoCorasick([Array("he".utf8), Array("she".utf8), Array("hers".utf8), Array("xyz".utf8)])
        let text = Array("ushers".utf8)
        let present = text.withUnsafeBufferPointer { automaton.presentAtoms(in: $0) }
        XCTAssertEqual(present, [true, true, true, false])
    }
}
