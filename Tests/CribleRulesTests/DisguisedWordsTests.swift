import CribleCore
@testable import CribleRules
import XCTest

/// Keywords written with signs among their letters are found for the rules that ask for it, and
/// only for them, over the tokens of the disguised word.
final class DisguisedWordsTests: XCTestCase {
    func testMaskedAndSignedWordsAreReadBack() {
        let set = compile("""
          - {id: d.words, description: d, label: test/a, disguised: true, keywords: [connard, salope, idiot, "asshole*", con, bitch]}
          - {id: d.plain, description: p, label: test/b, keywords: [connard, idiot]}
          - {id: d.near, description: n, label: test/b, disguised: true, near: {a: ["t'es"], b: [con], within: 3}}
        """)
        let cases: [(text: String, words: [String]?, near: [String]?)] = [
            ("Quel c*nnard.", ["c*nnard"], nil),
            ("Quelle sal*pe, cette id**t.", ["sal*pe", "id**t"], nil),
            ("Cet i***t.", nil, nil),                               // three of five masked: more than half
            ("Quelle s@l0pe.", ["s@l0pe"], nil),                  // @ as a, 0 as o
            ("What an @sshole, an @ssholes too.", ["sshole", "ssholes"], nil),
            ("You bi**h.", ["bi**h"], nil),
            ("T'es un c*n.", ["c*n"], ["T'es", "c*n"]),
            ("Écrivez à contact@exemple.fr pour 5 $ : ***.", nil, nil),
            ("Le c** n'est pas masqué ici.", nil, nil),             // one letter shown: not enough
            ("Un connard ordinaire.", ["connard"], nil),           // the plain word, found by the walk
        ]
        for (text, words, near) in cases {
            let found = matches(set, text)
            XCTAssertEqual(found["d.words"], words, text)
            XCTAssertEqual(found["d.near"], near, text)
            // A rule without `disguised` sees only the plain words.
            XCTAssertEqual(found["d.plain"], text.contains("connard ordinaire") ? ["connard"] : nil, text)
        }
    }

    /// A regular expression spells out its own disguises: the flag is refused there.
    func testDisguisedIsRefusedOnRegexRules() {
        let result = load([("f.yaml", labelHeader + "rules:\n  - {id: r.x, description: x, label: test/a, disguised: true, regex: ['abc']}\n")])
        XCTAssertEqual(result.errors.map(\.code), ["E009"])
    }
}
