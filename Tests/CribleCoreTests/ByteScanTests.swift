@testable import CribleCore
import XCTest

final class ByteScanTests: XCTestCase {
    func testByteSetAnswersLikeASetForEveryByte() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            let members = Set((0..<Int.random(in: 0...40, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) })
            var set = ByteSet()
            for byte in members { set.insert(byte) }
            for byte in UInt8.min...UInt8.max {
                XCTAssertEqual(set.contains(byte), members.contains(byte), "byte \(byte) of \(members.sorted())")
            }
        }
        XCTAssertTrue(ByteSet("!?$").contains(UInt8(ascii: "?")))
        XCTAssertFalse(ByteSet("!?$").contains(UInt8(ascii: ".")))
    }

    /// A set of a few runs of values tests sixteen bytes as `contains` tests each, for every
    /// byte value in every lane; a set of more runs, or none, says it cannot.
    func testByteSetRunsMarkTheLanesOfItsMembers() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            // Runs of random lengths at random places, overlapping or touching at times.
            var members = Set<UInt8>()
            for _ in 0..<Int.random(in: 0...10, using: &generator) {
                let start = Int.random(in: 0...255, using: &generator)
                let end = Swift.min(255, start + Int.random(in: 0...12, using: &generator))
                members.formUnion((start...end).map(UInt8.init))
            }
            var set = ByteSet()
            for byte in members.shuffled(using: &generator) { set.insert(byte) }
            let runCount = (0...255).filter { value in
                members.contains(UInt8(value)) && (value == 0 || !members.contains(UInt8(value - 1)))
            }.count
            XCTAssertEqual(set.hasFewRuns, (1...ByteSet.maximumRuns).contains(runCount), "\(members.sorted())")
            guard set.hasFewRuns else { continue }
            for first in stride(from: 0, to: 256, by: 16) {
                let bytes = ByteVector((0..<16).map { UInt8(first + $0) })
                let lanes = set.lanes(of: bytes)
                for lane in 0..<16 { XCTAssertEqual(lanes[lane], members.contains(bytes[lane]), "\(bytes[lane]) of \(members.sorted())") }
            }
        }
        XCTAssertFalse(ByteSet().hasFewRuns)
        XCTAssertFalse(ByteSet("!#%')+-/13579;=").hasFewRuns)
        XCTAssertTrue(ByteSet("0123456789@$._*|-").hasFewRuns)
    }

    /// The block scan stops at the first marked position at or after its start, in every block
    /// including the last, partial one, whose lanes past the end (zeros) must not be reported:
    /// here a byte marked by the one after it, for every start of texts of every length to 40.
    func testTheBlockScanFindsTheFirstMarkedPosition() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("ab12-".utf8)
        for length in 0...40 {
            for _ in 0..<20 {
                let bytes = (0..<length).map { _ in alphabet.randomElement(using: &generator)! }
                for start in 0...length {
                    let expected = (start..<length).first { bytes[$0] == UInt8(ascii: "a") && $0 + 1 < length && bytes[$0 + 1] == UInt8(ascii: "1") } ?? length
                    let found = bytes.withUnsafeBufferPointer { buffer in
                        buffer.firstIndex(from: start) { offset in
                            (buffer.zeroPaddedVector(at: offset) .== ByteVector(repeating: UInt8(ascii: "a")))
                                .& (buffer.zeroPaddedVector(at: offset + 1) .== ByteVector(repeating: UInt8(ascii: "1")))
                        }
                    }
                    XCTAssertEqual(found, expected, "from \(start) in \(String(decoding: bytes, as: UTF8.self))")
                }
            }
        }
    }

    /// The chunk finder gives what splitting the whole text into chunks and keeping those with a
    /// trigger gives, with each chunk's first trigger: for trigger sets without letters or space
    /// (`!` next to a space included) and with them.
    func testChunksAroundTriggersAreTheChunksThatHoldOne() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("abZ1.:)!@  \t\n\r-é`{Д".utf8)
        var withHighBytes = ByteSet("!@")
        withHighBytes.insert(0xD0)
        // Sets of few runs, tested sixteen bytes at a time, and one of more runs, whose bytes
        // are tested one by one among those that are not letters or spaces.
        for triggers in [ByteSet("1.:)-"), withHighBytes, ByteSet("a1"), ByteSet("!?"), ByteSet("!#%')+-/13579;=:`{")] {
        for _ in 0..<300 {
            let text = (0..<Int.random(in: 0...60, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
            var found: [(Range<Int>, Int)] = []
            text.withUnsafeBufferPointer { buffer in
                buffer.forEachChunk(containing: triggers) { chunk, first in found.append((chunk, first)) }
            }
            var expected: [(Range<Int>, Int)] = []
            var start = 0
            let isSpace: (UInt8) -> Bool = { [0x20, 0x09, 0x0A, 0x0D].contains($0) }
            while start < text.count {
                if isSpace(text[start]) { start += 1; continue }
                var end = start
                while end < text.count, !isSpace(text[end]) { end += 1 }
                if let first = (start..<end).first(where: { triggers.contains(text[$0]) }) { expected.append((start..<end, first)) }
                start = end
            }
            XCTAssertEqual(found.map(\.0), expected.map(\.0), "\(text)")
            XCTAssertEqual(found.map(\.1), expected.map(\.1), "\(text)")
        }
        }
        XCTAssertTrue(ByteSet("1.:)-").excludesLettersAndSpace)
        XCTAssertFalse(ByteSet("a1").excludesLettersAndSpace)
        XCTAssertFalse(ByteSet("Z").excludesLettersAndSpace)
        XCTAssertFalse(ByteSet(" ").excludesLettersAndSpace)
        XCTAssertTrue(ByteSet("@[`{").excludesLettersAndSpace)
    }
}

final class LetterCountTests: XCTestCase {
    func testLetterCountsAgreeWithCountingEachByte() {
        var generator = SystemRandomNumberGenerator()
        // Every length up to 40 (each tail of the sixteen-byte loop), from all bytes and from the
        // bytes around the letters' edges, where a wrong range test would show.
        let nearLetters = Array(0x3E...0x5E) + Array(0x5E...0x7F) + [0xC0, 0xC1, 0xDA, 0xDB, 0xE0, 0xFA, 0xFB, 0xFF]
        for length in Array(0...40) + [64, 100, 1000, 4096] {
            for pool in [Array(0...255).map(UInt8.init), nearLetters.map(UInt8.init)] {
                for _ in 0..<10 {
                    let bytes = (0..<length).map { _ in pool.randomElement(using: &generator)! }
                    let upper = bytes.filter { (65...90).contains($0) }.count
                    let lower = bytes.filter { (97...122).contains($0) }.count
                    let counts = bytes.withUnsafeBufferPointer { asciiLetterCounts(in: $0) }
                    XCTAssertEqual(counts.upper, upper, "length \(length): \(bytes)")
                    XCTAssertEqual(counts.lower, lower, "length \(length): \(bytes)")
                }
            }
        }
        let edges = Array("@AZ[`az{ÀÉé".utf8)
        let counts = edges.withUnsafeBufferPointer { asciiLetterCounts(in: $0) }
        XCTAssertEqual(counts.upper, 2)
        XCTAssertEqual(counts.lower, 2)
    }

    /// Stopped early, the counts are those of the bytes before a multiple of 512 with sixteen
    /// bytes or more after it, the first place where the caller's question was settled; never
    /// stopped, they are the whole text's.
    func testLetterCountsStopWhereTheCallerSaysTheAnswerIsSettled() {
        var generator = SystemRandomNumberGenerator()
        let pieces = Array("aaaaaeiou BONJOUR Le Monde 12, é".utf8)
        func counts(_ bytes: ArraySlice<UInt8>) -> (upper: Int, lower: Int) {
            (bytes.filter { (65...90).contains($0) }.count, bytes.filter { (97...122).contains($0) }.count)
        }
        var stopped = 0
        for _ in 0..<300 {
            let length = Int.random(in: 0...5000, using: &generator)
            let bytes = (0..<length).map { _ in pieces.randomElement(using: &generator)! }
            let never = bytes.withUnsafeBufferPointer { asciiLetterCounts(in: $0) { _, _, _ in false } }
            XCTAssertTrue(never == counts(bytes[...]))
            // Capitals can no longer outnumber the other letters.
            let settled = bytes.withUnsafeBufferPointer { asciiLetterCounts(in: $0) { upper, lower, remaining in upper + remaining <= lower } }
            let end = stride(from: 512, to: length - 15, by: 512).first { end in
                let prefix = counts(bytes[..<end])
                return prefix.upper + (length - end) <= prefix.lower
            } ?? length
            XCTAssertTrue(settled == counts(bytes[..<end]), "length \(length), stopped at \(end)")
            XCTAssertEqual(settled.upper > settled.lower, never.upper > never.lower)
            if end < length { stopped += 1 }
        }
        XCTAssertGreaterThan(stopped, 100, "most texts of mostly lower-case letters are settled early")
    }

    func testMembershipIsContainsAsANumber() {
        let set = ByteSet(".!?\n\u{7F}")
        for byte in UInt8.min...UInt8.max {
            XCTAssertEqual(set.membership(byte), set.contains(byte) ? 1 : 0)
        }
    }
}

final class ByteFinderTests: XCTestCase {
    /// Sixteen bytes at a time must find exactly what a byte-by-byte search finds: targets next
    /// to each other, high bytes, every start and every length (each tail of the vector loop).
    func testFindingSixteenBytesAtATimeAgreesWithSearchingEachByte() {
        var generator = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = [0x00, 0x01, 0x20, 0x21, 0x22, 0x3F, 0x40, 0x24, 0x68, 0x69, 0x77, 0x7F, 0x80, 0xA1, 0xE2, 0xFF]
        let targetSets: [(UInt8, UInt8, UInt8)] = [(0x21, 0x3F, 0x24), (0x68, 0x77, 0x77), (0x00, 0xFF, 0x80), (0x01, 0x01, 0x01)]
        for _ in 0..<400 {
            let length = Int.random(in: 0...40, using: &generator)
            let bytes = (0..<length).map { _ in alphabet.randomElement(using: &generator)! }
            for targets in targetSets {
                let wanted = [targets.0, targets.1, targets.2]
                bytes.withUnsafeBufferPointer { buffer in
                    for start in 0...length {
                        let expected = bytes[start...].firstIndex(where: wanted.contains) ?? length
                        XCTAssertEqual(buffer.firstIndex(ofAnyOf: targets, from: start), expected, "\(bytes) from \(start)")
                    }
                }
            }
        }
    }

    /// The same for ASCII ranges and targets: every byte value around the ranges' edges, high
    /// bytes whose lower seven bits fall within a range, and targets next to range bytes.
    func testFindingRangesSixteenBytesAtATimeAgreesWithSearchingEachByte() {
        var generator = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = [0x00, 0x20, 0x2A, 0x2B, 0x2F, 0x30, 0x35, 0x39, 0x3A, 0x40, 0x41, 0x5A, 0x5B, 0x61, 0x7F,
                                 0x80, 0xB0, 0xB5, 0xC1, 0xC2, 0xDA, 0xE2, 0xFF, 0x24, 0x25, 0x23]
        let cases: [(ClosedRange<UInt8>, ClosedRange<UInt8>, (UInt8, UInt8, UInt8))] = [
            (0x30...0x39, 0x41...0x5A, (0x2B, 0x2B, 0x2B)),
            (0x30...0x39, 0x30...0x39, (0x24, 0xE2, 0xC2)),
            (0x00...0x00, 0x7F...0x7F, (0xFF, 0x80, 0x24)),
            (0x00...0x7F, 0x20...0x20, (0x25, 0x25, 0x25)),
        ]
        for _ in 0..<400 {
            let length = Int.random(in: 0...40, using: &generator)
            let bytes = (0..<length).map { _ in alphabet.randomElement(using: &generator)! }
            for (first, second, targets) in cases {
                let isWanted = { (byte: UInt8) in
                    first.contains(byte) || second.contains(byte) || [targets.0, targets.1, targets.2].contains(byte)
                }
                bytes.withUnsafeBufferPointer { buffer in
                    for start in 0...length {
                        let expected = bytes[start...].firstIndex(where: isWanted) ?? length
                        XCTAssertEqual(buffer.firstIndex(inASCII: first, second, orAnyOf: targets, from: start), expected,
                                       "\(bytes) from \(start)")
                    }
                }
            }
        }
    }
}

final class ByteVectorTests: XCTestCase {
    /// Every byte value in every lane: the range, letter and non-ASCII tests agree with the
    /// scalar ones, and the marked lanes are found, counted and visited where they are.
    func testLaneTestsAgreeWithTestingEachByte() {
        var generator = SystemRandomNumberGenerator()
        let ranges: [ClosedRange<UInt8>] = [0x30...0x39, 0x41...0x5A, 0x00...0x00, 0x7F...0x80, 0xCE...0xD1, 0x00...0xFF]
        for _ in 0..<300 {
            var lanes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
            // Some vectors of one or two values only, so that runs and empty masks occur.
            if Bool.random(using: &generator) {
                let pair = [UInt8.random(in: 0...255, using: &generator), UInt8.random(in: 0...255, using: &generator)]
                lanes = lanes.map { _ in pair.randomElement(using: &generator)! }
            }
            let vector = lanes.withUnsafeBytes { $0.baseAddress!.loadByteVector(fromByteOffset: 0) }
            func check(_ mask: ByteVectorMask, _ expected: (UInt8) -> Bool, _ what: String) {
                let marked = lanes.indices.filter { expected(lanes[$0]) }
                XCTAssertEqual(mask.firstMarkedLane, marked.first, "\(what): \(lanes)")
                XCTAssertEqual(mask.markedLaneCount, marked.count, "\(what): \(lanes)")
                var visited: [Int] = []
                XCTAssertTrue(mask.forEachMarkedLane { visited.append($0); return true })
                XCTAssertEqual(visited, marked, "\(what): \(lanes)")
                if marked.count > 1 {
                    var stoppedAfter: [Int] = []
                    XCTAssertFalse(mask.forEachMarkedLane { stoppedAfter.append($0); return false })
                    XCTAssertEqual(stoppedAfter, [marked[0]])
                }
            }
            for range in ranges { check(vector.lanes(in: range), range.contains, "lanes in \(range)") }
            check(vector.asciiLetterLanes, { (65...90).contains($0) || (97...122).contains($0) }, "letters")
            check(vector.nonASCIILanes, { $0 >= 0x80 }, "non-ASCII")
            check(vector .== ByteVector(repeating: lanes[5]), { $0 == lanes[5] }, "equal to lane 5")
        }
    }

    /// A block read near the end holds the bytes that are there and zeros after them.
    func testZeroPaddedVectorsHoldTheBytesThenZeros() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let bytes = (0..<Int.random(in: 0...40, using: &generator)).map { _ in UInt8.random(in: 1...255, using: &generator) }
            bytes.withUnsafeBufferPointer { buffer in
                for offset in 0...bytes.count + 1 {
                    let vector = buffer.zeroPaddedVector(at: offset)
                    let expected = (0..<16).map { offset + $0 < bytes.count ? bytes[offset + $0] : 0 }
                    XCTAssertEqual((0..<16).map { vector[$0] }, expected, "\(bytes) at \(offset)")
                }
            }
        }
    }
}
