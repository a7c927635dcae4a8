import CribleCore
import XCTest

final class BisectionTests: XCTestCase {
    /// The last element whose key is at most the bound, against a scan from the end, on sorted
    /// random keys with repeats, including bounds below the first key and above the last.
    func testLastIndexWithKeyAtMostAgreesWithAScan() {
        var generator = SystemRandomNumberGenerator()
        XCTAssertNil([Int]().lastIndex(withKeyAtMost: 3) { $0 })
        for _ in 0..<500 {
            let keys = (0..<Int.random(in: 1...12, using: &generator)).map { _ in Int.random(in: 0...9, using: &generator) }.sorted()
            let items = keys.map { (key: $0, label: "k\($0)") }
            for bound in -1...10 {
                let expected = items.lastIndex { $0.key <= bound }
                XCTAssertEqual(items.lastIndex(withKeyAtMost: bound) { $0.key }, expected, "\(keys) ≤ \(bound)")
            }
        }
        // A slice keeps its own indices.
        let slice = [1, 3, 5, 7, 9][2...]
        XCTAssertEqual(slice.lastIndex(withKeyAtMost: 6) { $0 }, 2)
        XCTAssertNil(slice.lastIndex(withKeyAtMost: 4) { $0 })
        XCTAssertEqual(slice.lastIndex(withKeyAtMost: 100) { $0 }, 4)
    }
}
