@testable import CribleCore
import XCTest

final class TextViewTests: XCTestCase {
    func testFoldsCaseAccentsAndTypography() {
        let view = TextView("L’ÉTÉ\u{00A0}DÉJÀ Œuvre naïve")
        XCTAssertEqual(view.foldedString, "l'ete deja oeuvre naive")
    }

    func testDecomposedAccentsFoldLikePrecomposedOnes() {
        XCTAssertEqual(TextView("donne\u{301}es").foldedString, TextView("données").foldedString)
    }

    func testInvisibleCharactersDisappear() {
        XCTAssertEqual(TextView("inter\u{AD}net\u{200B}!").foldedString, "internet!")
    }

    func testFoldedRangesMapBackToTheOriginalBytes() {
        let text = "🙂 Les DONNE\u{301}ES personnelles"
        let view = TextView(text)
        let folded = view.foldedString
        let start = folded.utf8.count - "donnees personnelles".utf8.count
        let range = view.originalRange(ofFolded: start..<folded.utf8.count)
        XCTAssertEqual(view.originalString(range), "DONNE\u{301}ES personnelles")
    }

    /// A range maps to where its first byte's character starts and its last byte's character
    /// ends, whether the two lie in one run of the map, in runs a few apart, or far apart.
    func testRangesMapFromTheirFirstAndLastBytes() {
        let text = "Œuvre naïve, été déjà : cœur « à » DONNE\u{301}ES\u{AD} façon ﬁn – élève, où ça ? Ère être"
        let view = TextView(String(repeating: text, count: 3))
        let count = view.folded.count
        var wrong: [Range<Int>] = []
        for lower in 0..<count {
            let start = view.originalRange(ofFolded: lower..<(lower + 1)).lowerBound
            for upper in (lower + 1)...count {
                let expected = start..<view.originalRange(ofFolded: (upper - 1)..<upper).upperBound
                if view.originalRange(ofFolded: lower..<upper) != expected { wrong.append(lower..<upper) }
            }
        }
        XCTAssertEqual(wrong.prefix(5), [], "\(wrong.count) of the folded ranges map elsewhere")
    }

    func testSpanEndingOnAnAccentedLetterIncludesItsCombiningMark() {
        let view = TextView("cafe\u{301} noir")
        let range = view.originalRange(ofFolded: 0..<4)
        XCTAssertEqual(view.originalString(range), "cafe\u{301}")
    }

    func testLigatureExpansionMapsToTheWholeLigature() {
        let view = TextView("cœur")
        XCTAssertEqual(view.foldedString, "coeur")
        XCTAssertEqual(view.originalString(view.originalRange(ofFolded: 1..<3)), "œ")
    }

    /// The map back to the original is kept as runs; on texts mixing ASCII, accented letters,
    /// combining and invisible characters (also first and in a row), ligatures, typography and
    /// emoji, every folded range, empty ones included, maps where a table of two offsets per
    /// folded byte, built character by character, says it does.
    func testFoldedRunsAgreeWithAByteByByteMap() {
        var generator = SystemRandomNumberGenerator()
        let pieces = ["a", "Bc", "de f", "é", "È", "e\u{301}", "\u{301}", "\u{AD}", "\u{200B}", "œ", "Æ", "ﬁ", "’", "\u{00A0}",
                      "«", "€", "🙂", "👍🏽", "ß", "Ω", "я", "x\u{301}\u{302}", "\u{FE0F}", "1", " ", "\n", "ǅ",
                      // ASCII runs longer than a word of eight bytes, with the bytes either side of the capitals.
                      "Le PDG d'OpenAI ", "@AZ[`az{ ", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"]
        for round in 0..<400 {
            let text = (0..<Int.random(in: 0...20, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            let original = Array(text.utf8)
            // The reference: each folded byte's source, character by character.
            var folded: [UInt8] = [], starts: [Int] = [], ends: [Int] = []
            var index = 0
            original.withUnsafeBufferPointer { input in
                while index < input.count {
                    let (value, length) = decodeScalar(input, at: index)
                    let replacement: [UInt8]
                    if value < 0x80 {
                        replacement = [foldedASCII(UInt8(value))]
                    } else {
                        switch FoldingTable.fold(value) {
                        case .drop:
                            var back = ends.count - 1
                            while back >= 0, ends[back] == index { ends[back] = index + length; back -= 1 }
                            index += length
                            continue
                        case .keep: replacement = Array(input[index..<index + length])
                        case .bytes(let bytes): replacement = bytes
                        }
                    }
                    for byte in replacement { folded.append(byte); starts.append(index); ends.append(index + length) }
                    index += length
                }
            }
            let view = TextView(utf8: original)
            XCTAssertEqual(view.folded, folded, "round \(round): \(text.debugDescription)")
            guard view.folded == folded else { continue }
            for lower in 0...folded.count {
                for upper in lower...folded.count {
                    let expected = lower == upper
                        ? (lower < folded.count ? starts[lower] : original.count)..<(lower < folded.count ? starts[lower] : original.count)
                        : starts[lower]..<ends[upper - 1]
                    XCTAssertEqual(view.originalRange(ofFolded: lower..<upper), expected, "\(text.debugDescription) \(lower)..<\(upper)")
                }
            }
            // Token spans, found once when the view is built, give the same ranges.
            for first in view.tokens.indices {
                for last in first..<view.tokens.count {
                    let expected = starts[Int(view.tokens[first].start)]..<ends[Int(view.tokens[last].end) - 1]
                    XCTAssertEqual(view.originalRange(ofTokens: first, through: last), expected, "\(text.debugDescription) tokens \(first)...\(last)")
                }
            }
        }
    }

    func testTokensSplitOnApostrophesAndHyphens() {
        let view = TextView("L'IA d’OpenAI, e-mail 5G")
        XCTAssertEqual(view.tokens.map(view.foldedString(of:)), ["l", "ia", "d", "openai", "e", "mail", "5g"])
    }

    func testEmojiAreTokensOfTheirOwn() {
        let view = TextView("super😍bien")
        XCTAssertEqual(view.tokens.map(view.foldedString(of:)), ["super", "😍", "bien"])
    }

    func testASCIIWordBytesAreLettersAndDigits() {
        for byte in UInt8(0)..<128 {
            let scalar = Unicode.Scalar(byte)
            let expected = ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
            XCTAssertEqual(isASCIIWordByte(byte), expected, "byte \(byte)")
        }
    }

    /// Runs of ASCII are folded in bulk, the rest character by character: on texts that mix
    /// them at random, every token maps back to original text that folds to the token itself.
    func testEveryTokenMapsBackToTextThatFoldsToIt() {
        var generator = SystemRandomNumberGenerator()
        let pieces = ["Le ", "CAFÉ", "e\u{301}", " — ", "ﬁn", "…", "l’IA ", "DONNÉES", "x", "42", "\u{00A0}", "Œuvre",
                      "😀", "ß", "\n", ".", "ǅ", "a\u{0308}b", "  ", "Ünïcödé", "-", "'"]
        for _ in 0..<200 {
            let text = (0..<Int.random(in: 1...30, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            let view = TextView(text)
            XCTAssertEqual(view.folded, Array(text.map { TextView(String($0)).folded }.joined()), "folded character by character")
            for (index, token) in view.tokens.enumerated() {
                let original = view.originalString(view.originalRange(ofTokens: index, through: index))
                XCTAssertEqual(TextView(original).foldedString, view.foldedString(of: token), "token \(index) of \(text.debugDescription)")
            }
        }
    }

    /// Tokens against their definition written out scalar by scalar (maximal runs of letters
    /// and digits; each emoji alone), with hashes of their bytes, on random text that mixes
    /// ASCII runs, which the tokenizer walks in a loop of their own, with everything else.
    func testTokensAreMaximalRunsOfWordScalars() {
        var generator = SystemRandomNumberGenerator()
        let pieces = ["abc", "Z", "9", " ", ",", "é", "ß", "ж", "😀", "-", "'", "x1y2", "\u{00A0}", "中文", "٣", "\n", "…", "_", "❤"]
        for _ in 0..<300 {
            let text = (0..<Int.random(in: 0...25, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            let bytes = Array(text.utf8)
            var expected: [[Int]] = []
            var offset = 0
            var start: Int?
            for scalar in text.unicodeScalars {
                let length = String(scalar).utf8.count
                let properties = scalar.properties
                let isWord = properties.isAlphabetic || properties.numericType != nil
                if isWord {
                    if start == nil { start = offset }
                } else {
                    if let wordStart = start { expected.append([wordStart, offset]) }
                    start = nil
                    if properties.isEmojiPresentation || (properties.isEmoji && scalar.value >= 0x2000) {
                        expected.append([offset, offset + length])
                    }
                }
                offset += length
            }
            if let wordStart = start { expected.append([wordStart, offset]) }
            let tokens = Tokenizer.tokens(of: bytes)
            XCTAssertEqual(tokens.map { [Int($0.start), Int($0.end)] }, expected, text.debugDescription)
            for token in tokens {
                let tokenBytes = bytes[Int(token.start)..<Int(token.end)]
                XCTAssertEqual(token.hash, Tokenizer.hash(tokenBytes), text.debugDescription)
                XCTAssertEqual(token.isASCII, tokenBytes.allSatisfy { $0 < 0x80 }, text.debugDescription)
            }
        }
    }

    func testTokenHashesAgreeWithTheHashOfTheirBytes() {
        let view = TextView("Bonjour")
        XCTAssertEqual(view.tokens[0].hash, Tokenizer.hash(Array("bonjour".utf8)))
    }

    /// A token's hash marks a byte beyond ASCII in its top bit alone, and the rest depends on
    /// every byte and on the length: words of one to twenty bytes that differ in one byte, or
    /// only by trailing zero bytes, hash apart; the tokenizer's hash of a word read from the text
    /// (its first eight bytes as one load, or its last group under a mask) equals the hash of its
    /// bytes alone, whatever follows it.
    func testTokenHashMarksBytesBeyondASCIIAndDependsOnEveryByte() {
        for word in ["bonjour", "x1y2", "ж", "abcж", "жabc", "中文", "٣"] {
            let token = Tokenizer.tokens(of: Array(word.utf8))
            XCTAssertEqual(token.count, 1, word)
            let isASCII = word.utf8.allSatisfy { $0 < 0x80 }
            XCTAssertEqual(token[0].isASCII, isASCII, word)
            XCTAssertEqual(token[0].hash & Token.nonASCIIMark != 0, !isASCII, word)
        }
        var seen: [UInt64: [UInt8]] = [:]
        for length in 1...20 {
            let word = (0..<length).map { UInt8(ascii: "a") + UInt8($0 % 26) }
            var variants = [word, word + [0]]
            for position in 0..<length {
                var changed = word
                changed[position] ^= 0x01
                variants.append(changed)
            }
            for variant in variants {
                let hash = Tokenizer.hash(variant)
                XCTAssertNil(seen[hash], "\(variant) and \(seen[hash] ?? []) hash alike")
                seen[hash] = variant
            }
            for tail in [" ", "zzzzzzzzz", "", ".é", " suite de la phrase"] {
                let text = word + Array(tail.utf8)
                let first = Tokenizer.tokens(of: text).first { $0.start == 0 }
                let expected = tail.hasPrefix("z") ? word + Array(tail.utf8) : word
                XCTAssertEqual(first?.hash, Tokenizer.hash(expected), "\(length) \(tail)")
                XCTAssertEqual(Tokenizer.hash(expected[...]), Tokenizer.hash(expected), "a slice hashes as the array")
            }
        }
    }

    /// Eight bytes at a time, the tokenizer's test of letters and digits says of each byte, at
    /// each of the eight places, what the table of ASCII word bytes says (from 0x80: not one).
    func testEightByteTestOfWordBytesAgreesWithTheTable() {
        for byte in UInt8.min...UInt8.max {
            for place in 0..<8 {
                var group: UInt64 = 0x6161_6161_6161_6161  // "aaaaaaaa"
                group &= ~(UInt64(0xFF) << UInt64(8 * place))
                group |= UInt64(byte) << UInt64(8 * place)
                let stops = Tokenizer.nonWordBytes(group)
                XCTAssertEqual(stops & ~(UInt64(0x80) << UInt64(8 * place)), 0, "\(byte) at \(place)")
                XCTAssertEqual(stops != 0, !Tokenizer.asciiWordBytes[Int(byte)], "\(byte) at \(place)")
            }
        }
    }
}

final class SupportTypesTests: XCTestCase {
    /// Rules and lexicons are chosen by a language's primary subtag: a declared `fr-FR` is French.
    func testADeclaredLanguageIsItsPrimarySubtag() {
        for (tag, code) in [("fr", "fr"), ("fr-FR", "fr"), ("FR", "fr"), ("fr_CA", "fr"), (" en-GB ", "en"), ("zh-Hant-TW", "zh")] {
            XCTAssertEqual(Document(id: "d", body: "x", language: tag).declaredLanguage, code, tag)
        }
        for tag in ["", " ", "-"] {
            XCTAssertNil(Document(id: "d", body: "x", language: tag).declaredLanguage, tag)
        }
        XCTAssertEqual(Document.languageCode(of: "_fr"), "fr", "an empty subtag before the first is skipped")
        let undeclared = Document(id: "d", title: "Titre", body: "Corps")
        let assumed = undeclared.assuming(language: "fr-BE")
        XCTAssertEqual(assumed.declaredLanguage, "fr")
        XCTAssertEqual(assumed.content, undeclared.content)
        XCTAssertEqual(assumed.titleRange, undeclared.titleRange)
        XCTAssertEqual(Document(id: "d", body: "x", language: "en").assuming(language: "fr").declaredLanguage, "en",
                       "a declared language is kept")
        XCTAssertNil(undeclared.assuming(language: nil).declaredLanguage)
    }

    func testMarkedExampleParsesSpans() throws {
        let example = try MarkedExample(parsing: "La ↓CNIL↓ et le ↓RGPD↓.")
        XCTAssertEqual(example.text, "La CNIL et le RGPD.")
        XCTAssertEqual(example.spans, [3..<7, 14..<18])
        XCTAssertThrowsError(try MarkedExample(parsing: "un ↓seul"))
    }

    func testLineIndexCountsCharactersNotBytes() {
        let index = LineIndex(Array("première ligne\nété là".utf8))
        let offset = "première ligne\nété ".utf8.count
        XCTAssertEqual(index.position(ofByte: offset), LineIndex.Position(line: 2, column: 5))
        XCTAssertEqual(index.characterOffset(ofByte: offset), 19)
        XCTAssertEqual(index.line(2), "été là")
    }

    /// Scalars and line feeds are counted eight bytes at a time, and character offsets within a
    /// block: every offset of texts mixing one- to four-byte scalars across several blocks and
    /// lines (empty ones, line feeds side by side, long lines) must agree with a count of the
    /// scalars before it, and a position with its line's own count.
    func testLineIndexAgreesWithScalarCountsAtEveryOffset() {
        var generator = SystemRandomNumberGenerator()
        let pieces = ["a", "é", "€", "😀", "\n", " ", "\n\n", "word", "«»"]
        var texts = [String(repeating: "Déjà vu — naïve cœur 😀 fin.\nAu-delà : « été » ✓\n", count: 9) + "sans fin",
                     "", "\n", String(repeating: "\n", count: 70), String(repeating: "x", count: 200) + "\n"]
        for _ in 0..<20 {
            texts.append((0..<Int.random(in: 0...120, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined())
        }
        for text in texts { checkLineIndex(text) }
    }

    private func checkLineIndex(_ text: String) {
        let bytes = Array(text.utf8)
        let index = LineIndex(bytes)
        var scalarsBefore = 0
        var lineStartScalars = 0
        var line = 1
        for offset in 0...bytes.count {
            XCTAssertEqual(index.characterOffset(ofByte: offset), scalarsBefore, "at byte \(offset)")
            if offset == bytes.count || bytes[offset] & 0xC0 != 0x80 {
                let location = index.location(ofByte: offset)
                XCTAssertEqual(location.position, LineIndex.Position(line: line, column: scalarsBefore - lineStartScalars + 1),
                               "at byte \(offset)")
                XCTAssertEqual(location.characterOffset, scalarsBefore)
            }
            guard offset < bytes.count else { break }
            if bytes[offset] & 0xC0 != 0x80 { scalarsBefore += 1 }
            if bytes[offset] == 0x0A {
                line += 1
                lineStartScalars = scalarsBefore
            }
        }
        XCTAssertEqual(index.characterOffset(ofByte: bytes.count + 5), text.unicodeScalars.count, "past the end: the whole text")
    }

    func testSHA256KnownVectors() {
        var empty = SHA256()
        XCTAssertEqual(empty.finalize().hexString, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        var abc = SHA256()
        abc.update(Array("abc".utf8))
        XCTAssertEqual(abc.finalize().hexString, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        var long = SHA256()
        long.update(Array(String(repeating: "a", count: 1000).utf8))
        XCTAssertEqual(long.finalize().hexString, "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
        // The same bytes in pieces of every size, across block boundaries, give the same digest.
        for piece in [1, 3, 63, 64, 65, 200] {
            var chunked = SHA256()
            let bytes = Array(String(repeating: "a", count: 1000).utf8)
            for start in stride(from: 0, to: bytes.count, by: piece) {
                chunked.update(Array(bytes[start..<min(start + piece, bytes.count)]))
            }
            XCTAssertEqual(chunked.finalize().hexString, "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3", "pieces of \(piece)")
        }
    }

    func testDocumentWithTitleKeepsFieldOffsets() {
        let document = Document(id: "1", title: "Titre", body: "Corps du texte")
        XCTAssertEqual(document.content, "Titre\n\nCorps du texte")
        let (field, offset) = document.field(containing: 7)
        XCTAssertEqual(field.name, "text")
        XCTAssertEqual(offset, 0)
        XCTAssertEqual(document.titleRange, 0..<5)
    }

    func testFileDocumentTakesItsFirstLineAsTitle() {
        let document = Document(id: "a.md", body: "\n# Un titre\n\nLe corps.", titleIsFirstLine: true)
        XCTAssertEqual(document.title, "Un titre")
        XCTAssertEqual(document.titleRange, 3..<11)
    }
}
