import CribleCore
@testable import LanguageIdentification
import XCTest

final class FunctionWordTableTests: XCTestCase {
    /// The table counts, for each language, the tokens of eight bytes or fewer that are one of
    /// its words: against a count word by word, on random texts of the words, their neighbours
    /// (a letter more or less, a prefix, a word of nine bytes) and words that end the text, where
    /// fewer than eight bytes are left to load.
    func testTheTableCountsWhatAWordByWordComparisonCounts() {
        let words: [(language: Int, word: [UInt8])] = [
            (0, "de"), (3, "de"), (0, "la"), (1, "the"), (1, "tomorrow"), (2, "yesterday"), (3, "a"), (1, "a"),
            (2, "dans"), (3, "quoique"),
        ].map { ($0.0, Array($0.1.utf8)) }
        let table = FunctionWordTable(words)
        let pieces = ["de", "la", "the", "tomorrow", "yesterday", "a", "dans", "quoique", "d", "dee", "l", "th",
                      "tomorrows", "ab", "quoiqu", "x", "é", "12", "dans2"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let text = (0..<Int.random(in: 0...12, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }
                .joined(separator: " ")
            let view = TextView(text)
            var scores = [Double](repeating: 0, count: 4)
            view.folded.withUnsafeBufferPointer { folded in
                view.tokens.withUnsafeBufferPointer { tokens in table.count(tokens, in: folded, into: &scores) }
            }
            var expected = [Double](repeating: 0, count: 4)
            for token in view.tokens where token.length <= 8 {
                let bytes = Array(view.folded[Int(token.start)..<Int(token.end)])
                for (language, word) in words where word == bytes { expected[language] += 1 }
            }
            XCTAssertEqual(scores, expected, text)
            if scores != expected { return }
        }
    }
}
