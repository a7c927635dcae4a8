import CribleCore
@testable import SpamSignals
import XCTest

/// The spam scans look only at chunks around the bytes that can matter; these tests compare them
/// with examining every chunk of the text, on generated texts full of what they look for.
final class SpamScanTests: XCTestCase {
    let pieces = ["v1agra", "c.a.s.i.n.o", "\u{0441}asino", "fr3e", "$4,800", "!!!", "?!?", "$$$", "...", "(c.a.s.h)",
                  "\"gr@tuit\"", "l0an.", "w.w.w", "3.5", "U.S.", "e-mail", "'pr0mo'", "..!!", "2024", "50€", "c.a.s.i.n.o.",
                  "CASINO", "GRATUIT", "Bonus", "free", "le", "offre", "argent", "né", "\u{03BF}ffer", "cr3dit...", "m0ney,",
                  "peut-être", "Saint-Denis", "c-a-s-i-n-o", "g.r.a.t.u.i.t", "ca\u{0301}sino", "é.c.r.a.n", "bo-nus"]
    let separators = [" ", " ", "  ", "\n", "\t", "\r\n"]

    func generatedTexts(count: Int) -> [String] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in
            (0..<Int.random(in: 0...30, using: &generator)).map { _ in
                pieces.randomElement(using: &generator)! + separators.randomElement(using: &generator)!
            }.joined()
        }
    }

    /// Every chunk of the text examined, as the scan did before it looked for disguise bytes first.
    func referenceDisguisedWords(_ bytes: [UInt8], _ signals: SpamSignals) -> [Range<Int>] {
        func isSpace(_ byte: UInt8) -> Bool { [0x20, 0x0A, 0x09, 0x0D].contains(byte) }
        var spans: [Range<Int>] = []
        var start = 0
        while start < bytes.count {
            while start < bytes.count, isSpace(bytes[start]) { start += 1 }
            var end = start
            while end < bytes.count, !isSpace(bytes[end]) { end += 1 }
            if end > start {
                var chunkStart = start, chunkEnd = end
                while chunkEnd > chunkStart, SpamSignals.chunkTrailers.contains(bytes[chunkEnd - 1]) { chunkEnd -= 1 }
                while chunkStart < chunkEnd, SpamSignals.chunkLeaders.contains(bytes[chunkStart]) { chunkStart += 1 }
                var checkedEnd = chunkEnd
                while checkedEnd > chunkStart, bytes[checkedEnd - 1] == UInt8(ascii: ".") { checkedEnd -= 1 }
                let suspicious = (chunkStart..<checkedEnd).contains { SpamSignals.disguiseBytes.contains(bytes[$0]) }
                if chunkEnd - chunkStart >= 4, chunkEnd - chunkStart <= 40, suspicious,
                   let decoded = signals.undisguise(Array(bytes[chunkStart..<chunkEnd])),
                   SpamSignals.vocabulary.contains(decoded.word), decoded.wasDisguised {
                    spans.append(chunkStart..<chunkEnd)
                }
            }
            start = end
        }
        return spans
    }

    func testDisguisedWordsAreThoseFoundByExaminingEveryChunk() {
        let signals = SpamSignals()
        var found = 0
        for text in generatedTexts(count: 400) {
            let view = TextView(text)
            let spans = signals.disguisedWords(view)
            XCTAssertEqual(spans, referenceDisguisedWords(view.original, signals), text)
            found += spans.count
        }
        XCTAssertGreaterThan(found, 100, "the generated texts should hold disguised words")
    }

    /// The byte decoding of ASCII chunks answers as decoding them through strings does, on
    /// random chunks of letters, look-alike digits and signs, separators and other bytes, and on
    /// every vocabulary word written plainly, with digits, and letter by letter.
    func testDisguisedVocabularyWordsOnBytesAgreeWithDecodingThroughStrings() {
        let signals = SpamSignals()
        XCTAssertTrue(SpamSignals.vocabulary.allSatisfy { $0.utf8.count <= 16 }, "a packed word holds sixteen bytes")
        let alphabet = Array("aAbcCeinosStvxz0134579@$._-*|!#'".utf8)
        var generator = SystemRandomNumberGenerator()
        var chunks: [[UInt8]] = (0..<20_000).map { _ in
            (0..<Int.random(in: 1...20, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
        }
        // Each vocabulary word, disguised at random: look-alike digits and signs, separators
        // after some letters (as many as disguise it letter by letter, or one or two fewer),
        // capitals, a leading `$`.
        let lookAlike: [Character: [Character]] = ["o": ["0"], "i": ["1"], "e": ["3"], "a": ["4", "@"], "s": ["5", "$"], "t": ["7"]]
        for word in SpamSignals.vocabulary {
            chunks.append(Array(word.utf8))
            for _ in 0..<200 {
                let separatorRate = [0.0, 0.5, 0.9, 1.0].randomElement(using: &generator)!
                var disguised = Bool.random(using: &generator) ? "$" : ""
                for (offset, letter) in word.enumerated() {
                    if let forms = lookAlike[letter], Double.random(in: 0..<1, using: &generator) < 0.3 {
                        disguised.append(forms.randomElement(using: &generator)!)
                    } else {
                        disguised.append(Double.random(in: 0..<1, using: &generator) < 0.3 ? Character(letter.uppercased()) : letter)
                    }
                    if offset < word.count - 1, Double.random(in: 0..<1, using: &generator) < separatorRate {
                        disguised.append(".-_*|".randomElement(using: &generator)!)
                    }
                }
                chunks.append(Array(disguised.utf8))
            }
        }
        var disguised = 0
        for chunk in chunks {
            let expected = signals.undisguise(chunk).map { $0.wasDisguised && SpamSignals.vocabulary.contains($0.word) } ?? false
            let found = chunk.withUnsafeBufferPointer { signals.isDisguisedVocabularyWord($0[...]) }
            XCTAssertEqual(found, expected, String(decoding: chunk, as: UTF8.self))
            if found { disguised += 1 }
        }
        XCTAssertGreaterThan(disguised, 1000, "the chunks should hold disguised words")
    }

    func testShoutingAndPunctuationRunsMatchTheirDefinitions() {
        let signals = SpamSignals()
        for text in generatedTexts(count: 400) {
            let bytes = Array(text.utf8)
            let letters = bytes.indices.filter { (65...90).contains(bytes[$0]) || (97...122).contains(bytes[$0]) }
            let upper = letters.filter { (65...90).contains(bytes[$0]) }.count
            let shouting = letters.count >= 20 && Double(upper) / Double(letters.count) >= 0.7
            XCTAssertEqual(signals.shoutingSpan(bytes), shouting ? letters.first!..<(letters.last! + 1) : nil, text)
            var runs: [Range<Int>] = []
            var index = 0
            while index < bytes.count {
                var end = index
                while end < bytes.count, "!?$".utf8.contains(bytes[end]) { end += 1 }
                if end - index >= 3 { runs.append(index..<end) }
                index = max(end, index + 1)
            }
            XCTAssertEqual(signals.repeatedPunctuation(bytes), runs, text)
        }
    }

    /// The byte check before decoding may let through what decoding refuses, never the reverse.
    func testTheByteCheckNeverRefusesAWordDecodingAccepts() {
        let signals = SpamSignals()
        let alphabet = ["a", "s", "i", "n", "o", "C", "0", "1", "3", "4", "5", "7", "2", "@", "$", ".", "-", "_", "*", "|",
                        "é", "\u{0301}", "\u{0441}", "\u{03BF}", "/", "'", "ß", "\u{0130}"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let chunk = Array((0..<Int.random(in: 1...14, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }.joined().utf8)
            let allowed = chunk.withUnsafeBufferPointer { SpamSignals.mayDecode($0[...]) }
            if !allowed {
                XCTAssertNil(signals.undisguise(chunk), String(decoding: chunk, as: UTF8.self))
            }
        }
    }

    /// From every position of texts full of French typography (`’ « » …`, no-break spaces, which
    /// share their lead bytes with `€` and `£`), the skip to a possible amount stops where reading
    /// every byte first finds a digit or the first two bytes of a currency symbol.
    func testTheSkipToAnAmountStopsAtDigitsAndCurrencySigns() {
        let pieces = ["’", "«", "»", "…", "\u{A0}", "€", "£", "$", "7", "0", "a", " ", "é", "\u{20AC}", "¥"].map { Array($0.utf8) }
        let signs = SpamSignals.currencySymbols.map { Array($0.prefix(2)) }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let bytes = (0..<Int.random(in: 0...30, using: &generator)).flatMap { _ in pieces.randomElement(using: &generator)! }
            for start in 0...bytes.count {
                let expected = (start..<bytes.count).first { index in
                    (48...57).contains(bytes[index]) || signs.contains { bytes.hasBytes($0, at: index) }
                } ?? bytes.count
                let found = bytes.withUnsafeBufferPointer { SpamSignals.nextPossibleAmount(in: $0, from: start) }
                XCTAssertEqual(found, expected, "from \(start) in \(String(decoding: bytes, as: UTF8.self))")
            }
        }
    }
}
