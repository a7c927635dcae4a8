@testable import CribleCore
import Foundation
import XCTest

/// The folding table and character classes are shipped as data (`FoldingData.swift`), generated
/// from their definitions by `scripts/generate-folding-data.sh`: the data must be exactly what the
/// definitions give. When the generator sets `CRIBLE_WRITE_FOLDING_DATA` to a path, this writes
/// the data there instead of comparing.
final class FoldingDataTests: XCTestCase {
    func testShippedFoldingDataIsWhatItsDefinitionsGive() throws {
        if let path = ProcessInfo.processInfo.environment["CRIBLE_WRITE_FOLDING_DATA"] {
            try FoldingDefinition.generatedSource().write(toFile: path, atomically: true, encoding: .utf8)
            return
        }
        var differences: [String] = []
        for value in UInt32(0x80)..<FoldingTable.packedLimit {
            let expected = FoldingDefinition.fold(value)
            if FoldingTable.packed[Int(value)] != FoldingDefinition.packed(expected) || FoldingTable.fold(value) != expected {
                differences.append(String(value, radix: 16, uppercase: true))
            }
        }
        for value in UInt32(0)..<Tokenizer.classTableLimit where Tokenizer.classTable[Int(value)] != Tokenizer.characterClass(of: value) {
            differences.append("class of " + String(value, radix: 16, uppercase: true))
        }
        XCTAssertEqual(differences, [], "regenerate with scripts/generate-folding-data.sh")
        XCTAssertGreaterThan(FoldingTable.packed.filter { $0 != 0 }.count, 1_000, "the letters of the Latin, Greek and Cyrillic blocks")
    }

    /// Beyond the shipped table, scalars fold by the overrides and Unicode alone, as defined.
    func testScalarsBeyondTheTableFoldAsDefined() {
        for value: UInt32 in [0x3000, 0xFE0F, 0xFEFF, 0xFF07, 0xFF0D, 0xFE21, 0x1F600, 0x10400, 0x1D400, 0xFB01, 0x24B6] {
            XCTAssertEqual(FoldingTable.fold(value), FoldingDefinition.fold(value), String(value, radix: 16))
        }
    }
}
