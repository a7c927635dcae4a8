/// A set of byte values, tested with a shift and a mask.
///
/// Scanners in hot loops ask "is this byte one of `!?$`?" for every byte of every document;
/// asking a `String.UTF8View` walks the string each time, this does not.
public struct ByteSet: Sendable {
    @usableFromInline var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

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
    }

    @inlinable @inline(__always)
    public func contains(_ byte: UInt8) -> Bool { membership(byte) != 0 }

    /// Whether the set holds no ASCII letter and no space: a scan for its bytes may then skip
    /// words of plain text eight bytes at a time.
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
        // Letters and spaces, most of any text, are skipped eight at a time when no trigger is one.
        // The other bytes of a word (punctuation, accented letters: one in eight bytes of French
        // news) are checked against the triggers from its marks, without reading the word again:
        // stopping and starting over at each of them was half the scan.
        let skipsPlainText = triggers.excludesLettersAndSpace
        var index = 0
        while index < count {
            if skipsPlainText, index + 8 <= count, let base = baseAddress {
                let word = UInt64(littleEndian: UnsafeRawPointer(base).loadUnaligned(fromByteOffset: index, as: UInt64.self))
                var marks = ~plainTextMarks(word) & 0x8080_8080_8080_8080
                var trigger = -1
                while marks != 0 {
                    let position = index &+ marks.trailingZeroBitCount &>> 3
                    if triggers.contains(self[position]) {
                        trigger = position
                        break
                    }
                    marks &= marks &- 1
                }
                guard trigger >= 0 else {
                    index += 8
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
    return (word, bytes.count >= 8 ? ~0 : (1 << (8 * UInt64(bytes.count))) - 1)
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

/// Upper- and lower-case ASCII letters in `bytes`, counted with arithmetic only, eight bytes at a
/// time: with a test per byte, the compiler kept branches that letters, spaces and capitals
/// defeat, and even branch-free the byte loop was a sixth of the sentiment stage.
///
/// In a word, `x = (w | 0x20…) & 0x7F…` is each byte lower-cased with its top bit cleared, so
/// neither `x + 0x1F` nor `x + 0x05` carries into the next byte: the first reaches 0x80 exactly
/// when `x ≥ 'a'`, the second stays below it exactly when `x ≤ 'z'`. Bytes with the top bit set
/// (UTF-8 beyond ASCII) are excluded, and bit 5, shifted up to bit 7, tells capitals.
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
        let highs: UInt64 = 0x8080_8080_8080_8080
        while index + 8 <= bytes.count {
            if index & 511 == 0, index > 0, decided(upper, letters &- upper, bytes.count &- index) {
                return (upper, letters &- upper)
            }
            let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            let lowered = (word | 0x2020_2020_2020_2020) & 0x7F7F_7F7F_7F7F_7F7F
            let atLeastA = lowered &+ 0x1F1F_1F1F_1F1F_1F1F
            let atMostZ = ~(lowered &+ 0x0505_0505_0505_0505)
            let letter = atLeastA & atMostZ & ~word & highs
            letters &+= letter.nonzeroBitCount
            upper &+= (letter & ~(word << 2)).nonzeroBitCount
            index += 8
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
    /// Eight bytes at a time (see ``equalityMarks(_:_:_:_:)``). The scans that look for
    /// rare bytes (`!`, `?`, `$` of repeated punctuation; `h`, `w` starting a link) spend most of
    /// their time walking past text, which this does with a few operations per eight bytes
    /// instead of a lookup per byte.
    @inlinable
    public func firstIndex(ofAnyOf targets: (UInt8, UInt8, UInt8), from start: Int) -> Int {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let first = UInt64(targets.0) &* ones, second = UInt64(targets.1) &* ones, third = UInt64(targets.2) &* ones
        return firstIndex(from: start, marking: { equalityMarks($0, first, second, third) },
                          matching: { $0 == targets.0 || $0 == targets.1 || $0 == targets.2 })
    }

    /// The first position at or after `start` whose byte `matching` accepts, found eight bytes at
    /// a time: `marking` sets the top bit of the bytes of a word that `matching` would accept,
    /// possibly more above the first, never one below it.
    @inlinable @inline(__always)
    func firstIndex(from start: Int, marking: (UInt64) -> UInt64, matching: (UInt8) -> Bool) -> Int {
        var index = Swift.max(start, 0)
        guard let base = baseAddress else { return count }
        let raw = UnsafeRawPointer(base)
        while index + 8 <= count {
            let marks = marking(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)))
            if marks != 0 { return index + marks.trailingZeroBitCount / 8 }
            index += 8
        }
        while index < count {
            if matching(base[index]) { return index }
            index += 1
        }
        return count
    }
}

extension UnsafeBufferPointer where Element == UInt8 {
    /// The first position at or after `start` whose byte is ASCII and within `first` or
    /// `second`, or is one of `targets`; `count` if none is.
    ///
    /// Eight bytes at a time, as ``firstIndex(ofAnyOf:from:)`` (see ``asciiRangeMarks(_:_:)``).
    /// The number scans of the spam and
    /// personal-data plugins (digits, capitals, `+`, `$`, the lead bytes of `€` and `£`) spent
    /// most of their time stepping past letters one byte at a time.
    @inlinable
    public func firstIndex(inASCII first: ClosedRange<UInt8>, _ second: ClosedRange<UInt8>,
                           orAnyOf targets: (UInt8, UInt8, UInt8), from start: Int) -> Int {
        precondition(first.upperBound < 0x80 && second.upperBound < 0x80, "ranges of ASCII bytes")
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let a = UInt64(targets.0) &* ones, b = UInt64(targets.1) &* ones, c = UInt64(targets.2) &* ones
        // Range marks are exact; equality marks are exact at the lowest, as the lowest of both.
        return firstIndex(from: start, marking: { word in
            (asciiRangeMarks(word, first) | asciiRangeMarks(word, second)) & highs | equalityMarks(word, a, b, c)
        }, matching: { byte in
            first.contains(byte) || second.contains(byte) || byte == targets.0 || byte == targets.1 || byte == targets.2
        })
    }
}

/// The top bit of each byte of `word` that equals the byte repeated in `a`, `b` or `c`: a byte
/// equal to a target becomes zero once XORed with it, and `(x − 0x01…) & ~x & 0x80…` marks the
/// zero bytes. A borrow can mark a byte above a zero one, never below, so the lowest mark is exact.
@inlinable @inline(__always)
func equalityMarks(_ word: UInt64, _ a: UInt64, _ b: UInt64, _ c: UInt64) -> UInt64 {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let x = word ^ a, y = word ^ b, z = word ^ c
    return ((x &- ones) & ~x | (y &- ones) & ~y | (z &- ones) & ~z) & 0x8080_8080_8080_8080
}

/// The top bit of each byte of `word` that is ASCII and within `range` (other bits are left
/// set): with the top bits cleared, adding `0x80 − lower` to a byte sets its top bit exactly
/// when it is at least `lower`, and adding `0x7F − upper` exactly when it is above `upper`; no
/// sum reaches the next byte. Bytes with their own top bit set are out of every ASCII range.
@inlinable @inline(__always)
public func asciiRangeMarks(_ word: UInt64, _ range: ClosedRange<UInt8>) -> UInt64 {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let seven = word & 0x7F7F_7F7F_7F7F_7F7F
    let atLeast = seven &+ UInt64(0x80 - range.lowerBound) &* ones
    let above = seven &+ UInt64(0x7F - range.upperBound) &* ones
    return atLeast & ~above & ~word
}

/// The top bit of each byte of `word` that is an ASCII letter or a space (other bits left set).
@inlinable @inline(__always)
func plainTextMarks(_ word: UInt64) -> UInt64 {
    // Both exact at every byte: a space found by `equalityMarks` could mark the byte above it.
    asciiRangeMarks(word | 0x2020_2020_2020_2020, 0x61...0x7A) | asciiRangeMarks(word, 0x20...0x20)
}
