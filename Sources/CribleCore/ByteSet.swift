/// A set of byte values, tested with a shift and a mask.
///
/// Scanners in hot loops ask "is this byte one of `!?$`?" for every byte of every document;
/// asking a `String.UTF8View` walks the string each time, this does not.
public struct ByteSet: Sendable {
    @usableFromInline var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    /// The set as runs of consecutive values, lowest first: run `n` holds the values from
    /// `runStarts[n]` to `runStarts[n] + runLastOffsets[n]`. There are `runCount` of them (the
    /// lanes after those repeat the first run), or `runCount` is `-1` when the set has more than
    /// ``maximumRuns``. Kept up to date by ``insert(_:)``.
    @usableFromInline var runStarts = ByteVector(repeating: 0)
    @usableFromInline var runLastOffsets = ByteVector(repeating: 0)
    @usableFromInline var runCount = 0

    /// Most runs for which a scan tests sixteen bytes at a time against the runs (see
    /// ``lanes(of:)``): two vector operations a run.
    public static let maximumRuns = 8

    public init() {}

    /// The bytes of `characters`' UTF-8 encoding (meant for ASCII punctuation lists).
    public init(_ characters: String) {
        for byte in characters.utf8 { insert(byte) }
    }

    public mutating func insert(_ byte: UInt8) {
        let bit = UInt64(1) << UInt64(byte & 63)
        switch byte >> 6 {
        case 0: words.0 |= bit
        case 1: words.1 |= bit
        case 2: words.2 |= bit
        default: words.3 |= bit
        }
        findRuns()
    }

    private mutating func findRuns() {
        runStarts = ByteVector(repeating: 0)
        runLastOffsets = ByteVector(repeating: 0)
        runCount = 0
        var value = 0
        while value < 256 {
            guard contains(UInt8(value)) else {
                value += 1
                continue
            }
            let start = value
            while value < 256, contains(UInt8(value)) { value += 1 }
            guard runCount < Self.maximumRuns else {
                runCount = -1
                return
            }
            runStarts[runCount] = UInt8(start)
            runLastOffsets[runCount] = UInt8(value - 1 - start)
            runCount += 1
        }
        // Unused runs repeat the first, so that all of them can be tested with no loop.
        for unused in Swift.max(runCount, 1)..<Self.maximumRuns {
            runStarts[unused] = runStarts[0]
            runLastOffsets[unused] = runLastOffsets[0]
        }
    }

    /// Whether ``lanes(of:)`` may be asked: the set has at least one run and at most
    /// ``maximumRuns``.
    @inlinable
    public var hasFewRuns: Bool { runCount > 0 }

    /// The lanes of `bytes` that hold a member, when ``hasFewRuns``: for a scan looking for a
    /// few punctuation marks and digits, the bytes it must stop at, without the byte-by-byte
    /// test of every other non-letter (one byte in eight of French news is a comma, a full
    /// stop or an accented letter, and seven in eight of those are no member). A scan of many
    /// blocks asks ``RunTest`` instead, made once.
    @inlinable @inline(__always)
    public func lanes(of bytes: ByteVector) -> ByteVectorMask { RunTest(self).lanes(of: bytes) }

    /// The set's runs with each bound already in all sixteen lanes: made once before a scan, so
    /// that its loop spends two vector operations a run on each block. Spread from the set's
    /// vectors inside the loop, each bound took two or three instructions more per block, and
    /// a scan for eight runs (the spam plugin's digits, signs and separators) spent more on them
    /// than on the tests. A set of four runs or fewer tests four.
    public struct RunTest {
        @usableFromInline let starts: (ByteVector, ByteVector, ByteVector, ByteVector, ByteVector, ByteVector, ByteVector, ByteVector)
        @usableFromInline let widths: (ByteVector, ByteVector, ByteVector, ByteVector, ByteVector, ByteVector, ByteVector, ByteVector)
        @usableFromInline let testsEight: Bool

        @inlinable
        public init(_ set: ByteSet) {
            @inline(__always) func start(_ n: Int) -> ByteVector { ByteVector(repeating: set.runStarts[n]) }
            @inline(__always) func width(_ n: Int) -> ByteVector { ByteVector(repeating: set.runLastOffsets[n]) }
            starts = (start(0), start(1), start(2), start(3), start(4), start(5), start(6), start(7))
            widths = (width(0), width(1), width(2), width(3), width(4), width(5), width(6), width(7))
            testsEight = set.runCount > 4
        }

        @inlinable @inline(__always)
        public func lanes(of bytes: ByteVector) -> ByteVectorMask {
            @inline(__always) func run(_ start: ByteVector, _ width: ByteVector) -> ByteVectorMask { (bytes &- start) .<= width }
            let four = run(starts.0, widths.0) .| run(starts.1, widths.1) .| run(starts.2, widths.2) .| run(starts.3, widths.3)
            guard testsEight else { return four }
            return four .| run(starts.4, widths.4) .| run(starts.5, widths.5) .| run(starts.6, widths.6) .| run(starts.7, widths.7)
        }
    }

    @inlinable @inline(__always)
    public func contains(_ byte: UInt8) -> Bool { membership(byte) != 0 }

    /// Whether the set holds no ASCII letter and no space: a scan for its bytes may then skip
    /// words of plain text sixteen bytes at a time.
    @inlinable
    public var excludesLettersAndSpace: Bool {
        // Bit 32 of the first word is the space; bits 1–26 and 33–58 of the second, `A`–`Z` and `a`–`z`.
        let letters: UInt64 = 0x07FF_FFFE_07FF_FFFE
        return words.0 & (1 << 32) == 0 && words.1 & letters == 0
    }

    /// 1 when the set holds `byte`, else 0: for counting without a branch per byte.
    ///
    /// The word is picked with two selects, not a `switch`: the switch compiled to a jump table,
    /// an indirect branch per byte that the processor mispredicted on mixed text (a scan for
    /// `!?$` ran at under 200 MB/s), and reading the words through memory stored them again at
    /// every byte.
    @inlinable @inline(__always)
    public func membership(_ byte: UInt8) -> Int {
        let odd = byte & 0x40 != 0
        let word = byte & 0x80 != 0 ? (odd ? words.3 : words.2) : (odd ? words.1 : words.0)
        return Int(truncatingIfNeeded: word >> UInt64(byte & 63) & 1)
    }
}

extension Array where Element == UInt8 {
    /// Whether `prefix` occurs at `index` (bounds-checked, no slice).
    @inline(__always)
    public func hasBytes(_ prefix: [UInt8], at index: Int) -> Bool {
        guard index >= 0, index + prefix.count <= count else { return false }
        for offset in 0..<prefix.count where self[index + offset] != prefix[offset] { return false }
        return true
    }
}

extension UnsafeBufferPointer where Element == UInt8 {
    /// Calls `body` for each chunk (run of bytes other than space, tab, line feed and carriage
    /// return) that holds a byte of `triggers`, in order, with the position of that chunk's first
    /// such byte.
    ///
    /// Scans that only care about chunks with unusual bytes (digits and separators of disguised
    /// words, punctuation of emoticons) look for those bytes and delimit the chunk around each,
    /// instead of delimiting every word of the text.
    @inlinable
    public func forEachChunk(containing triggers: ByteSet, _ body: (_ chunk: Range<Int>, _ firstTrigger: Int) -> Void) {
        @inline(__always) func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D }
        // A set of a few runs (digits and a few marks) is tested sixteen bytes at a time and the
        // scan stops only at its members. Otherwise letters and spaces, most of any text, are
        // skipped sixteen at a time when no trigger is one, and the other bytes of a word
        // (punctuation, accented letters: one in eight bytes of French news) are checked against
        // the triggers from their marks, without reading the word again: stopping and starting
        // over at each of them was half the scan.
        let skipsPlainText = triggers.excludesLettersAndSpace
        let testsRuns = triggers.hasFewRuns
        let runTest = ByteSet.RunTest(triggers)
        let space = ByteVector(repeating: 0x20)
        var index = 0
        while index < count {
            if testsRuns, index + 16 <= count, let base = baseAddress {
                guard let lane = runTest.lanes(of: UnsafeRawPointer(base).loadByteVector(fromByteOffset: index)).firstMarkedLane else {
                    index += 16
                    continue
                }
                index += lane
            } else if skipsPlainText, index + 16 <= count, let base = baseAddress {
                let bytes = UnsafeRawPointer(base).loadByteVector(fromByteOffset: index)
                let marks = .!(bytes.asciiLetterLanes .| (bytes .== space))
                var trigger = -1
                _ = marks.forEachMarkedLane { lane in
                    guard triggers.contains(self[index &+ lane]) else { return true }
                    trigger = index &+ lane
                    return false
                }
                guard trigger >= 0 else {
                    index += 16
                    continue
                }
                index = trigger
            } else if !triggers.contains(self[index]) {
                index += 1
                continue
            }
            var start = index
            while start > 0, !isSpace(self[start - 1]) { start -= 1 }
            var end = index + 1
            while end < count, !isSpace(self[end]) { end += 1 }
            body(start..<end, index)
            index = end
        }
    }
}

/// The first eight bytes of `bytes` as one little-endian number (zeros past its end), and the
/// mask of the bytes it holds: the key that ``UnsafeBufferPointer/word(at:)`` is compared with,
/// under the mask, to tell whether `bytes` (or, beyond eight, its first eight) starts there.
@inlinable
public func littleEndianKey<Bytes: Collection>(_ bytes: Bytes) -> (word: UInt64, mask: UInt64) where Bytes.Element == UInt8 {
    var word: UInt64 = 0
    for (offset, byte) in bytes.prefix(8).enumerated() { word |= UInt64(byte) << (8 * UInt64(offset)) }
    return (word, lowBytesMask(bytes.count))
}

/// The mask of the low `count` bytes of a little-endian 64-bit word (all eight from eight on,
/// none for zero): what keeps the bytes of a key, or of a word's end, out of eight bytes loaded
/// from a text.
@inlinable @inline(__always)
public func lowBytesMask(_ count: Int) -> UInt64 {
    count >= 8 ? ~0 : (1 &<< UInt64(truncatingIfNeeded: 8 &* count)) &- 1
}

/// Per byte of `low`, whose bytes are all below 0x80, 0x80 where the byte is at least `bound`
/// (at most 0x80), else 0: eight comparisons in one addition, which never carries from a byte
/// into the next. The byte scans that classify eight bytes at a time build their tests on it.
@inlinable @inline(__always)
public func sevenBitBytes(atLeast bound: UInt64, in low: UInt64) -> UInt64 {
    (low &+ (0x80 &- bound) &* 0x0101_0101_0101_0101) & 0x8080_8080_8080_8080
}

extension UnsafeBufferPointer where Element == UInt8 {
    /// The eight bytes from `position` as one little-endian number, zeros for those past the
    /// end: a word to compare under a mask with a key of up to eight bytes.
    @inlinable @inline(__always)
    public func word(at position: Int) -> UInt64 {
        guard let base = baseAddress else { return 0 }
        if position + 8 <= count {
            return UInt64(littleEndian: UnsafeRawPointer(base).loadUnaligned(fromByteOffset: position, as: UInt64.self))
        }
        var word: UInt64 = 0
        for offset in 0..<Swift.max(0, count - position) { word |= UInt64(base[position + offset]) << (8 * UInt64(offset)) }
        return word
    }
}

/// Upper- and lower-case ASCII letters in `bytes`, counted sixteen bytes at a time: with a test
/// per byte, the compiler kept branches that letters, spaces and capitals defeat, and even
/// branch-free the byte loop was a sixth of the sentiment stage. Among letters, capitals are
/// the bytes below 0x60.
@inlinable
public func asciiLetterCounts(in bytes: UnsafeBufferPointer<UInt8>) -> (upper: Int, lower: Int) {
    asciiLetterCounts(in: bytes, stoppingWhen: { _, _, _ in false })
}

/// ``asciiLetterCounts(in:)``, stopped early once `decided(upper, lower, remaining)` says that
/// the `remaining` bytes cannot change what the caller will conclude from the counts (asked
/// every 512 bytes); the counts so far are then returned. Whether a text is mostly capitals is
/// settled, for ordinary text, well before its end.
@inlinable
public func asciiLetterCounts(in bytes: UnsafeBufferPointer<UInt8>,
                              stoppingWhen decided: (_ upper: Int, _ lower: Int, _ remaining: Int) -> Bool) -> (upper: Int, lower: Int) {
    var upper = 0, letters = 0
    var index = 0
    if let base = bytes.baseAddress {
        let raw = UnsafeRawPointer(base)
        let lowerCaseStart = ByteVector(repeating: 0x60)
        while index + 16 <= bytes.count {
            if index & 511 == 0, index > 0, decided(upper, letters &- upper, bytes.count &- index) {
                return (upper, letters &- upper)
            }
            let vector = raw.loadByteVector(fromByteOffset: index)
            let letter = vector.asciiLetterLanes
            letters &+= letter.markedLaneCount
            upper &+= (letter .& (vector .< lowerCaseStart)).markedLaneCount
            index += 16
        }
    }
    var lower = letters &- upper
    while index < bytes.count {
        let byte = bytes[index]
        // `(byte | 0x20) - 97` is below 26 exactly for letters; the borrow of subtracting 26 then
        // sets the top bit. Bit 5 is clear in capitals.
        let isLetter = Int(truncatingIfNeeded: (UInt32((byte | 0x20) &- 97) &- 26) >> 31)
        let isUpper = Int(truncatingIfNeeded: (byte >> 5) & 1) ^ 1
        upper &+= isLetter & isUpper
        lower &+= isLetter & (isUpper ^ 1)
        index += 1
    }
    return (upper, lower)
}

extension UnsafeBufferPointer where Element == UInt8 {
    /// The first position at or after `start` holding one of `targets`, or `count`.
    ///
    /// Sixteen bytes at a time (see ``ByteVector``). The scans that look for rare bytes (`!`,
    /// `?`, `$` of repeated punctuation; `h`, `w` starting a link) spend most of their time
    /// walking past text, which this does with a few operations per sixteen bytes instead of a
    /// test per byte.
    @inlinable
    public func firstIndex(ofAnyOf targets: (UInt8, UInt8, UInt8), from start: Int) -> Int {
        let first = ByteVector(repeating: targets.0), second = ByteVector(repeating: targets.1)
        let third = ByteVector(repeating: targets.2)
        return firstIndex(from: start) { offset in
            let bytes = zeroPaddedVector(at: offset)
            return (bytes .== first) .| (bytes .== second) .| (bytes .== third)
        }
    }

    /// The first position at or after `start` that `marking` marks, or `count`: `marking` gets the
    /// offset of each block of sixteen positions and reads what it needs with
    /// ``zeroPaddedVector(at:)``, the blocks starting one or more bytes later included, to tell
    /// a byte by those after it (an IBAN's two capitals then two digits, `€` by its second byte).
    /// The last, partial block goes through the same test, its lanes past the end zero: a mark
    /// there (from a test that accepts the zero byte, as the JSON scans' control characters do)
    /// comes back as `count`, that is none. So each scan states its bytes once, as a vector test,
    /// with no byte-by-byte loop for the tail that says the same again.
    @inlinable @inline(__always)
    public func firstIndex(from start: Int, markingBlockAt marking: (Int) -> ByteVectorMask) -> Int {
        var index = Swift.max(start, 0)
        while index < count {
            if let lane = marking(index).firstMarkedLane { return Swift.min(index + lane, count) }
            index += 16
        }
        return count
    }
}

extension UnsafeBufferPointer where Element == UInt8 {
    /// The first position at or after `start` whose byte is ASCII and within `first` or
    /// `second`, or is one of `targets`; `count` if none is.
    ///
    /// Sixteen bytes at a time, as ``firstIndex(ofAnyOf:from:)``: the JSON reader and writer find
    /// the end of a string's plain run (a quote, a backslash or a control character) with it.
    @inlinable
    public func firstIndex(inASCII first: ClosedRange<UInt8>, _ second: ClosedRange<UInt8>,
                           orAnyOf targets: (UInt8, UInt8, UInt8), from start: Int) -> Int {
        precondition(first.upperBound < 0x80 && second.upperBound < 0x80, "ranges of ASCII bytes")
        let a = ByteVector(repeating: targets.0), b = ByteVector(repeating: targets.1), c = ByteVector(repeating: targets.2)
        return firstIndex(from: start) { offset in
            let bytes = zeroPaddedVector(at: offset)
            return bytes.lanes(in: first) .| bytes.lanes(in: second) .| (bytes .== a) .| (bytes .== b) .| (bytes .== c)
        }
    }
}

