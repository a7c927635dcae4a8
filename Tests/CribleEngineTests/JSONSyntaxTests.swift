@testable import CribleEngine
import Foundation
import XCTest

/// A JSONL line Foundation refuses is reported with the column where it breaks and the reason.
final class JSONSyntaxTests: XCTestCase {
    func testEachKindOfMistakeIsPlacedAndNamed() {
        let cases: [(line: String, column: Int, reason: String)] = [
            (#"{"id": "x", "text": "a""#, 24, "the line ends where `,` or `}` should be"),
            (#"{'id': 1}"#, 2, "keys take double quotes, not single ones"),
            (#"{"id": 'x'}"#, 8, "strings take double quotes, not single ones"),
            (#"{"id": 01}"#, 8, "a number cannot start with 0 followed by digits"),
            ("{\"text\": \"a\tb\"}", 12, "a control character (U+0009) must be escaped in a string"),
            (#"{"id": "x" , "text": tru}"#, 22, "`tru` is not a JSON value"),
            (#"[1, 2"#, 6, "the line ends where `,` or `]` should be"),
            (#"{"id": "é", "text": "ü" x}"#, 25, "expected `,` or `}` after the value"),
            (#"{"a": 1} {"b": 2}"#, 10, "unexpected text after the JSON value"),
            (#"{"a": -}"#, 8, "a number needs a digit here"),
            (#"{"a": 1.}"#, 9, "a number needs digits after `.`"),
            (#"{"a": 1e}"#, 9, "an exponent needs digits"),
            (#"{"a": "\u12"}"#, 8, "`\\u` needs four hexadecimal digits"),
            (#"{"a": "\q"}"#, 8, "unknown escape `\\q` in a string"),
            (#"{"a" 1}"#, 6, "expected `:` after the key"),
            (#"{"a": "open}"#, 7, "the string that starts here is not closed"),
            (#"{"a": [1,]}"#, 10, "a comma before `]` leaves no value after it"),
            (#"{"a": @}"#, 7, "expected a value"),
            (String(repeating: "[", count: 600), 513, "nested more than 512 levels deep"),
            (#"{"a": "x\ud800 y"}"#, 9, "`\\ud800` is half of a surrogate pair, without its other half"),
            (#"{"a": "\udc00"}"#, 8, "`\\udc00` is half of a surrogate pair"),
            (#"{"a": "\uD83D\u0041"}"#, 8, "`\\uD83D` is half of a surrogate pair"),
            (#"{"a": "\ud83d\ude00", "b": "\ud83d"}"#, 29, "`\\ud83d` is half of a surrogate pair"),
        ]
        for (line, column, reason) in cases {
            let bytes = Array(line.utf8)[...]
            guard let problem = JSONSyntax.firstProblem(in: bytes) else {
                XCTFail("no problem found in \(line)")
                continue
            }
            XCTAssertEqual(JSONSyntax.column(ofByte: problem.offset, in: bytes), column, line)
            XCTAssertTrue(problem.message.hasPrefix(reason), "\(line): \(problem.message)")
        }
    }

    /// What Foundation writes is valid: the walk finds no problem in any of it.
    func testValidJSONHasNoProblem() throws {
        var generator = SeededGenerator(seed: 7)
        func value(_ depth: Int) -> Any {
            switch Int.random(in: 0..<(depth > 3 ? 5 : 7), using: &generator) {
            case 0: return Int.random(in: -1_000_000...1_000_000, using: &generator)
            case 1: return Double.random(in: -1e6...1e6, using: &generator)
            case 2: return String((0..<Int.random(in: 0...12, using: &generator)).map { _ in
                "aé\"\\\n\t/ü😀 {}[],:".randomElement(using: &generator)! })
            case 3: return Bool.random(using: &generator)
            case 4: return NSNull()
            case 5: return (0..<Int.random(in: 0...4, using: &generator)).map { _ in value(depth + 1) }
            default:
                var object: [String: Any] = [:]
                for index in 0..<Int.random(in: 0...4, using: &generator) { object["k\(index)é"] = value(depth + 1) }
                return object
            }
        }
        for _ in 0..<500 {
            let object: [String: Any] = ["id": "x", "text": value(0)]
            let data = try JSONSerialization.data(withJSONObject: object)
            let problem = JSONSyntax.firstProblem(in: Array(data)[...])
            XCTAssertNil(problem, String(decoding: data, as: UTF8.self))
        }
        XCTAssertNil(JSONSyntax.firstProblem(in: Array(#"  {"a": [1, -0.5e+3, true, false, null, "\u00e9\/", "\ud83d\uDE00"]}  "#.utf8)[...]))
    }
}

final class JSONLineDocumentTests: XCTestCase {
    /// Lines are read straight from their bytes, or through Foundation when anything is unusual:
    /// on random lines the two give the same document, or the same failure.
    func testStringFieldsGiveTheDocumentFoundationGives() throws {
        var generator = SeededGenerator(seed: 11)
        let alphabet = Array("aé\"\\/\n\t\u{0}\u{7F}ü😀 {}[],:\u{2028}")
        func text() -> String { String((0..<Int.random(in: 0...10, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }) }
        func other() -> Any {
            switch Int.random(in: 0..<5, using: &generator) {
            case 0: return Int.random(in: -99...99, using: &generator)
            case 1: return 2.5
            case 2: return NSNull()
            case 3: return [text(), 1, ["k": true]] as [Any]
            default: return ["nested": text()]
            }
        }
        let reader = DocumentReader()
        for round in 0..<600 {
            var object: [String: Any] = [:]
            if Int.random(in: 0..<4, using: &generator) > 0 { object["text"] = Bool.random(using: &generator) ? text() : other() }
            if Bool.random(using: &generator) { object["id"] = Bool.random(using: &generator) ? text() : Int.random(in: 0...999, using: &generator) }
            for key in ["title", "lang", "source", "é\u{1F600}"] where Bool.random(using: &generator) {
                object[key] = Bool.random(using: &generator) ? text() : other()
            }
            var line = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
            // Escapes that JSONSerialization does not write: \u forms, surrogate pairs, a lone half.
            if round % 5 == 0 { line = line.replacingOccurrences(of: "é", with: "\\u00e9") }
            if round % 7 == 0 { line = line.replacingOccurrences(of: "😀", with: "\\ud83d\\ude00") }
            if round % 11 == 0 { line = line.replacingOccurrences(of: "😀", with: "\\ud83d") }
            // One, two and three bytes of UTF-8 from a `\u` escape.
            if round % 3 == 0 { line = line.replacingOccurrences(of: "\u{7F}", with: "\\u007f") }
            if round % 13 == 0 { line = line.replacingOccurrences(of: "\u{2028}", with: "\\u2028") }
            let bytes = Array(line.utf8)[...]
            let direct = reader.item(fromJSONLine: bytes, source: "f.jsonl", line: 3)
            let throughFoundation = reader.item(from: reader.jsonObject(line: bytes, source: "f.jsonl", lineNumber: 3),
                                                source: "f.jsonl", line: 3)
            switch (direct, throughFoundation) {
            case (.document(let a), .document(let b)):
                XCTAssertEqual(a.id, b.id, line)
                XCTAssertEqual(a.content, b.content, line)
                XCTAssertEqual(a.fields, b.fields, line)
                XCTAssertEqual(a.declaredLanguage, b.declaredLanguage, line)
                XCTAssertEqual(a.title, b.title, line)
                XCTAssertEqual(a.metadata, b.metadata, line)
                XCTAssertEqual(a.origin, b.origin, line)
            case (.failure(let a), .failure(let b)):
                XCTAssertEqual(a, b, line)
            default:
                XCTFail("one way read a document, the other did not: \(line)")
            }
        }
    }
}

extension JSONLineDocumentTests {
    /// A line with bytes that are not UTF-8, in a string read or a value skipped, is reported as
    /// such, as Foundation's reading reports it.
    func testBytesThatAreNotUTF8AreRefusedWhereverTheyAre() {
        let reader = DocumentReader()
        for template in [#"{"id": "a", "text": "bad X here"}"#, #"{"id": "a", "text": "ok", "extra": ["X"]}"#,
                         #"{"id": "a", "text": "ok", "kX": "v"}"#, #"{"id": "a", "text": "ok", "n": {"m": "X"}}"#] {
            var bytes = Array(template.utf8)
            bytes[bytes.firstIndex(of: UInt8(ascii: "X"))!] = 0xFF
            guard case .failure(let failure) = reader.item(fromJSONLine: bytes[...], source: "f.jsonl", line: 2) else {
                XCTFail("read a document from \(template)")
                continue
            }
            let column = template.distance(from: template.startIndex, to: template.firstIndex(of: "X")!) + 1
            XCTAssertTrue(failure.message.hasPrefix("line 2 is not valid UTF-8: byte 0xFF at column \(column);"), failure.message)
            XCTAssertEqual(failure.column, column, template)
        }
    }
}

/// A small deterministic generator, so that a failure shows the same inputs on every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state ^ (state >> 29)
    }
}
