@testable import PersonalData
import XCTest

/// The personal-data plugin skips text sixteen bytes at a time to where a number or an IBAN may
/// start; these tests compare the skip with reading every byte.
final class PersonalDataScanTests: XCTestCase {
    /// From every position of texts made of digits, capitals, `+`, letters and accents, the skip
    /// stops where a byte-by-byte reading first finds a digit, a `+`, or two capitals followed by
    /// two digits, and at the end when there is none.
    func testNextPossibleStartIsTheFirstDigitPlusOrIBANStart() {
        func isDigit(_ byte: UInt8) -> Bool { (48...57).contains(byte) }
        func isUpper(_ byte: UInt8) -> Bool { (65...90).contains(byte) }
        let alphabet = Array("AZFR76GB0912+ ab.-é€\n".utf8)
        var generator = SystemRandomNumberGenerator()
        for length in Array(0...40) + [63, 64, 65, 200] {
            for _ in 0..<20 {
                let bytes = (0..<length).map { _ in alphabet.randomElement(using: &generator)! }
                for start in 0...length {
                    let expected = (start..<length).first { index in
                        isDigit(bytes[index]) || bytes[index] == UInt8(ascii: "+")
                            || (index + 3 < length && isUpper(bytes[index]) && isUpper(bytes[index + 1])
                                && isDigit(bytes[index + 2]) && isDigit(bytes[index + 3]))
                    } ?? length
                    let found = bytes.withUnsafeBufferPointer { PersonalData.nextPossibleStart(in: $0, from: start) }
                    XCTAssertEqual(found, expected, "from \(start) in \(String(decoding: bytes, as: UTF8.self))")
                }
            }
        }
    }
}
