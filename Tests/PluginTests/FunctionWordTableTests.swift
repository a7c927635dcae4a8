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
            let (scores, expected) = scoresAndExpected(of: text, table: table, words: words)
            XCTAssertEqual(scores, expected, text)
            if scores != expected { return }
        }
    }

    /// The same with hundreds of random words, as many as the bundled lists: words that hash to
    /// the same slot, runs of them that continue past the table's last slot, and a word in
    /// several languages.
    func testEveryWordOfALargeTableIsFoundAndNothingElse() {
        var generator = SystemRandomNumberGenerator()
        let letters = Array("abcdeilnorstu".utf8)
        for _ in 0..<20 {
            var words: [(language: Int, word: [UInt8])] = []
            for _ in 0..<Int.random(in: 200...600, using: &generator) {
                let word = (0..<Int.random(in: 1...9, using: &generator)).map { _ in letters.randomElement(using: &generator)! }
                words.append((Int.random(in: 0..<LanguageIdentification.languages.count, using: &generator), word))
            }
            let table = FunctionWordTable(words)
            let vocabulary = Set(words.map(\.word)).map { $0 } + (0..<50).map { _ in
                (0..<Int.random(in: 1...9, using: &generator)).map { _ in letters.randomElement(using: &generator)! }
            }
            let text = (0..<400).map { _ in String(decoding: vocabulary.randomElement(using: &generator)!, as: UTF8.self) }
                .joined(separator: " ")
            let (scores, expected) = scoresAndExpected(of: text, table: table, words: words)
            XCTAssertEqual(scores, expected)
        }
    }

    /// The table's scores for `text`, and the counts of a comparison word by word: each token of
    /// eight bytes or fewer counts once for each language that lists it, however many times.
    private func scoresAndExpected(of text: String, table: FunctionWordTable,
                                   words: [(language: Int, word: [UInt8])]) -> (scores: [Double], expected: [Double]) {
        let view = TextView(text)
        let scores = view.folded.withUnsafeBufferPointer { folded in
            view.tokens.withUnsafeBufferPointer { tokens in table.scores(tokens, in: folded) }
        }
        var expected = [Double](repeating: 0, count: LanguageIdentification.languages.count)
        for token in view.tokens where token.length <= 8 {
            let bytes = Array(view.folded[Int(token.start)..<Int(token.end)])
            for language in Set(words.filter { $0.word == bytes }.map(\.language)) { expected[language] += 1 }
        }
        return (scores, expected)
    }
}

final class FrenchLetterCountTests: XCTestCase {
    /// Sixteen lead bytes at a time, the count is that of the pairs (0xC3, one of the second
    /// bytes) read one by one: every second byte after 0xC3 and others near them, at every place
    /// relative to the vector loop's steps and to the end.
    func testTheCountIsThatOfThePairsReadOneByOne() {
        var generator = SystemRandomNumberGenerator()
        let seconds = LanguageIdentification.frenchSecondBytes
        let near: [UInt8] = [0x80, 0x81, 0x86, 0x87, 0x88, 0x89, 0x8A, 0x9F, 0xA0, 0xA1, 0xA6, 0xA7, 0xAA, 0xAB, 0xAE, 0xAF,
                             0xB3, 0xB4, 0xB5, 0xBB, 0xBC, 0xC3, 0x61, 0x20]
        for _ in 0..<500 {
            let bytes = (0..<Int.random(in: 0...70, using: &generator)).map { _ in
                Bool.random(using: &generator) ? UInt8(0xC3) : near.randomElement(using: &generator)!
            }
            let expected = bytes.indices.dropLast().filter { bytes[$0] == 0xC3 && seconds.contains(bytes[$0 + 1]) }.count
            XCTAssertEqual(bytes.withUnsafeBufferPointer { LanguageIdentification.frenchLetterCount(in: $0) }, expected, "\(bytes)")
            // With a limit, the scan may stop early: the count is exact below it, the limit from it on.
            let limit = Int.random(in: 0...8, using: &generator)
            XCTAssertEqual(bytes.withUnsafeBufferPointer { LanguageIdentification.frenchLetterCount(in: $0, upTo: limit) },
                           min(expected, limit), "\(bytes), limit \(limit)")
        }
        // The lanes' constants are the list's bytes, and only those.
        for byte in UInt8.min...UInt8.max {
            let vector = ByteVector(repeating: byte)
            XCTAssertEqual(LanguageIdentification.frenchSecondLanes(vector).markedLaneCount, seconds.contains(byte) ? 16 : 0, "\(byte)")
        }
    }
}
