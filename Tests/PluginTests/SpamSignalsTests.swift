@testable import SpamSignals
import XCTest

final class SpamSignalsTests: XCTestCase {
    /// Amounts among the characters that share the lead bytes of `€` and `£` in French
    /// typography (`’`, `« »`, no-break spaces, `…`), which the scan passes over at once.
    func testAmountsAmongTypographicCharacters() {
        let text = "L’offre « 500 € » ou £20… Prix\u{A0}: $4,800 ; 1 200 euros, 3\u{A0}€ et 7 £."
        let bytes = Array(text.utf8)
        let found = SpamSignals().moneySpans(bytes).map { String(decoding: bytes[$0], as: UTF8.self) }
        XCTAssertEqual(found, ["500 €", "£20", "$4,800", "1 200 euros", "7 £"])
    }
}
