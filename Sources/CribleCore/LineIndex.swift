/// Turns byte offsets into line:column positions and character offsets, for people and editors.
///
/// Columns and character offsets count Unicode scalars, 1-based for columns, which is what
/// libYAML reports and what most editors show for the accented Latin text Crible mostly sees.
public struct LineIndex: Sendable {
    private let bytes: [UInt8]
    private let lineStarts: [Int]
    /// Number of Unicode scalars before each line, so a character offset costs one line's scan.
    private let lineStartCharacters: [Int]

    /// Number of Unicode scalars before every 64th byte: news paragraphs are lines of hundreds
    /// of bytes, and a verdict asks for the positions of a hundred spans, so a position costs a
    /// scan of at most 63 bytes rather than of its line.
    private let blockCharacters: [Int]

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        var starts = [0]
        var characters = [0]
        var blocks: [Int] = []
        blocks.reserveCapacity(bytes.count / 64 + 1)
        var count = 0
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            let raw = UnsafeRawPointer(base)
            var offset = 0
            // Sixteen bytes at a time: scalars counted as the bytes that do not continue one;
            // a vector with a line feed is taken byte by byte.
            let lineFeed = ByteVector(repeating: 0x0A)
            let continuationBits = ByteVector(repeating: 0xC0), continuation = ByteVector(repeating: 0x80)
            while offset + 16 <= buffer.count {
                if offset & 63 == 0 { blocks.append(count) }
                let vector = raw.loadByteVector(fromByteOffset: offset)
                if (vector .== lineFeed).firstMarkedLane == nil {
                    count += 16 - ((vector & continuationBits) .== continuation).markedLaneCount
                } else {
                    for index in offset..<(offset + 16) {
                        if base[index] & 0xC0 != 0x80 { count += 1 }
                        if base[index] == 0x0A {
                            starts.append(index + 1)
                            characters.append(count)
                        }
                    }
                }
                offset += 16
            }
            while offset < buffer.count {
                if offset & 63 == 0 { blocks.append(count) }
                if base[offset] & 0xC0 != 0x80 { count += 1 }
                if base[offset] == 0x0A {
                    starts.append(offset + 1)
                    characters.append(count)
                }
                offset += 1
            }
        }
        blocks.append(count)
        self.lineStarts = starts
        self.lineStartCharacters = characters
        self.blockCharacters = blocks
    }

    private func lineNumber(ofByte offset: Int) -> Int {
        lineStarts.lastIndex(withKeyAtMost: offset) { $0 } ?? 0
    }

    public struct Position: Sendable, Hashable {
        public let line: Int
        public let column: Int
    }

    public func position(ofByte offset: Int) -> Position {
        location(ofByte: offset).position
    }

    /// The position of `offset` and the number of Unicode scalars before it, found together: a
    /// span's start needs both, and each costs a scan of its 64-byte block.
    public func location(ofByte offset: Int) -> (position: Position, characterOffset: Int) {
        let line = lineNumber(ofByte: offset)
        let characters = characterOffset(ofByte: offset)
        return (Position(line: line + 1, column: max(0, characters - lineStartCharacters[line]) + 1), characters)
    }

    /// Number of Unicode scalars before `offset`: those before its 64-byte block, plus the bytes
    /// of the block before it that do not continue a scalar, counted eight at a time.
    public func characterOffset(ofByte offset: Int) -> Int {
        let end = max(0, min(offset, bytes.count))
        var index = end & ~63
        var count = blockCharacters[end >> 6] + (end - index)
        bytes.withUnsafeBytes { buffer in
            while index + 8 <= end {
                let word = UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                // A continuation byte is 10xxxxxx: bit 7 set, bit 6 clear.
                count -= (word & ~(word << 1) & 0x8080_8080_8080_8080).nonzeroBitCount
                index += 8
            }
            while index < end {
                if buffer[index] & 0xC0 == 0x80 { count -= 1 }
                index += 1
            }
        }
        return count
    }

    /// How many spaces start line `number` (1-based); 0 past the end.
    public func indentation(ofLine number: Int) -> Int {
        guard number >= 1, number <= lineStarts.count else { return 0 }
        var position = lineStarts[number - 1]
        while position < bytes.count, bytes[position] == 0x20 { position += 1 }
        return position - lineStarts[number - 1]
    }

    /// The text of line `number` (1-based), without its newline.
    public func line(_ number: Int) -> String {
        guard number >= 1, number <= lineStarts.count else { return "" }
        let start = lineStarts[number - 1]
        var end = number < lineStarts.count ? lineStarts[number] - 1 : bytes.count
        if end > start, bytes[end - 1] == 0x0D { end -= 1 }
        return String(decoding: bytes[start..<max(start, end)], as: UTF8.self)
    }
}
