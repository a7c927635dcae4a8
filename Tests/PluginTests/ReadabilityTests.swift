import CribleCore
@testable import Readability
import XCTest

final class ReadabilityTests: XCTestCase {
    /// The score, from counts taken the plain way: every word's vowel groups less a silent final
    /// `e`, and sentences as the first byte of each run of `. ! ?` and line feeds anywhere in the
    /// folded text. Random texts mix the runs with spaces, tokens and characters beyond ASCII,
    /// at the start and the end, where the plugin counts them between tokens only; numbers holding
    /// vowels, and words longer than 57 bytes.
    func testTheScoreIsTheFormulaOverPlainCounts() {
        let readability = Readability(minimumWords: 3)
        let pieces = ["le", "chat", "dort", "interminable", "école", "été", "2024", "Paris", ".", "!", "?", "?!", "...",
                      "\n", "\n\n", " . ", "e", "bee", "l'IA", "😀", "a.b", "—", "«", "»",
                      // Numbers holding vowels, and words longer than the plugin reads at once.
                      "3eme", "2e", "4kilo", "1ea", String(repeating: "anticonstitution", count: 4),
                      String(repeating: "ea", count: 29), String(repeating: "oui", count: 20) + "e"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<3_000 {
            let text = (0..<Int.random(in: 0...30, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }
                .joined(separator: Bool.random(using: &generator) ? " " : "")
            let view = TextView(text)
            let folded = view.folded
            var words = 0, syllables = 0
            for token in view.tokens {
                let bytes = Array(folded[Int(token.start)..<Int(token.end)])
                guard let first = bytes.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first) else { continue }
                words += 1
                var groups = runCount(in: bytes, of: "aeiouy")
                if bytes.count > 2, bytes.last == UInt8(ascii: "e"), groups > 1 { groups -= 1 }
                syllables += max(1, groups)
            }
            let sentences = runCount(in: folded, of: ".!?\n")
            let expected: Double? = words >= 3 && view.tokens.count >= 3
                ? 207 - 1.015 * (Double(words) / Double(max(1, sentences))) - 73.6 * (Double(syllables) / Double(words))
                : nil
            XCTAssertEqual(readability.readingEase(view, language: "fr"), expected, text)
            if readability.readingEase(view, language: "fr") != expected { return }
        }
    }

    /// How many runs of the bytes of `members` `bytes` holds.
    func runCount(in bytes: [UInt8], of members: String) -> Int {
        var runs = 0
        var previousIsMember = false
        for byte in bytes {
            let isMember = members.utf8.contains(byte)
            if isMember && !previousIsMember { runs += 1 }
            previousIsMember = isMember
        }
        return runs
    }
}
