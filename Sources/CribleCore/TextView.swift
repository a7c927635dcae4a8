/// A document's text, read once: the original UTF-8, a folded view for matching, the map from the
/// folded view back to the original, and the tokens of the folded view.
///
/// Every offset that leaves the engine is a UTF-8 byte offset into ``original``: detectors match
/// in ``folded`` and translate with ``originalRange(ofFolded:)``, so a span found in
/// `donnees personnelles` is reported exactly where the user wrote `Données personnelles`.
public struct TextView: Sendable {
    /// The text as the user wrote it (invalid UTF-8 never gets this far; see `Document`).
    public let original: [UInt8]
    /// Lower-cased, accent-free, typography-normalised view (see ``FoldingTable``).
    public let folded: [UInt8]
    /// For each byte of ``folded``: where its source character starts in ``original``.
    let sourceStart: [UInt32]
    /// For each byte of ``folded``: where its source character ends in ``original``, including
    /// any combining marks that were dropped after it.
    let sourceEnd: [UInt32]
    /// Word tokens of the folded view (letters and digits; each emoji is a token of its own).
    public let tokens: [Token]
    /// Number of tokens; kept by ``compacted()``, which drops the tokens themselves.
    public let tokenCount: Int

    public init(_ text: String) {
        self.init(utf8: Array(text.utf8))
    }

    /// - Precondition: `utf8` is valid UTF-8 (``Document`` checks this when reading input).
    public init(utf8: [UInt8]) {
        original = utf8
        (folded, sourceStart, sourceEnd) = utf8.withUnsafeBufferPointer(TextView.fold)
        self.tokens = Tokenizer.tokens(of: folded)
        self.tokenCount = tokens.count
    }

    /// The folded bytes and their offset maps. A function of its own, so that the output buffers
    /// are its local state: captured by a closure, every append was checked for exclusive access.
    private static func fold(_ input: UnsafeBufferPointer<UInt8>) -> ([UInt8], [UInt32], [UInt32]) {
        var output = FoldOutput(capacity: input.count * 2 + 16)
        var index = 0
        let count = input.count
        while index < count {
            if input[index] < 0x80 {
                // Most text is runs of ASCII: each run is folded in one loop the compiler can
                // vectorise, with one capacity check.
                var end = index + 1
                while end < count, input[end] < 0x80 { end += 1 }
                output.appendASCII(input, from: index, to: end)
                index = end
                continue
            }
            let (value, length) = decodeScalar(input, at: index)
            let start = UInt32(index)
            let end = UInt32(index + length)
            if value < FoldingTable.packedLimit {
                let packed = FoldingTable.packed[Int(value)]
                switch packed >> 40 {
                case 0:
                    for offset in 0..<length { output.append(input[index + offset], from: start, to: end) }
                    index += length
                    continue
                case 2:
                    let replacementCount = Int((packed >> 32) & 0xFF)
                    for offset in 0..<replacementCount {
                        output.append(UInt8(truncatingIfNeeded: packed >> UInt64(8 * offset)), from: start, to: end)
                    }
                    index += length
                    continue
                default:
                    break  // dropped, or a long replacement: the general path below
                }
            }
            switch FoldingTable.fold(value) {
            case .drop:
                // A dropped character belongs to the one before it (an accent to its letter),
                // so a span ending at that letter also covers the accent.
                output.extendPrevious(endingAt: start, to: end)
            case .keep:
                for offset in 0..<length { output.append(input[index + offset], from: start, to: end) }
            case .bytes(let replacement):
                for replacementByte in replacement { output.append(replacementByte, from: start, to: end) }
            }
            index += length
        }
        return output.finish()
    }

    private init(compacting view: TextView) {
        original = view.original
        folded = []
        sourceStart = []
        sourceEnd = []
        tokens = []
        tokenCount = view.tokenCount
    }

    /// The original text alone, for a verdict that waits in a batch to be reported: reporters
    /// need the original bytes and the token count, not the folded view and its offset maps,
    /// which are about ten bytes per input byte.
    public func compacted() -> TextView { TextView(compacting: self) }

    /// The original bytes a range of the folded view came from.
    public func originalRange(ofFolded range: Range<Int>) -> Range<Int> {
        guard !range.isEmpty else {
            let position = range.lowerBound < sourceStart.count
                ? Int(sourceStart[range.lowerBound]) : original.count
            return position..<position
        }
        return Int(sourceStart[range.lowerBound])..<Int(sourceEnd[range.upperBound - 1])
    }

    /// The original bytes covered by tokens `first...last`.
    public func originalRange(ofTokens first: Int, through last: Int) -> Range<Int> {
        originalRange(ofFolded: Int(tokens[first].start)..<Int(tokens[last].end))
    }

    /// The folded text of a token, for lookups and debugging.
    public func foldedString(of token: Token) -> String {
        String(decoding: folded[Int(token.start)..<Int(token.end)], as: UTF8.self)
    }

    public func originalString(_ range: Range<Int>) -> String {
        String(decoding: original[range], as: UTF8.self)
    }

    /// The folded view as a string (for tests and error messages; matching works on bytes).
    public var foldedString: String { String(decoding: folded, as: UTF8.self) }
}

/// The folded bytes and their offset maps while a view is built: three raw buffers written in
/// step, which costs a fraction of three growing arrays (this loop runs for every input byte).
private struct FoldOutput {
    private var bytes: UnsafeMutablePointer<UInt8>
    private var starts: UnsafeMutablePointer<UInt32>
    private var ends: UnsafeMutablePointer<UInt32>
    private var capacity: Int
    private var count = 0

    init(capacity: Int) {
        self.capacity = capacity
        bytes = .allocate(capacity: capacity)
        starts = .allocate(capacity: capacity)
        ends = .allocate(capacity: capacity)
    }

    @inline(__always)
    mutating func append(_ byte: UInt8, from start: UInt32, to end: UInt32) {
        if count == capacity { grow() }
        bytes[count] = byte
        starts[count] = start
        ends[count] = end
        count += 1
    }

    /// `input[start..<end]`, all ASCII: each byte folded, and its own source.
    @inline(__always)
    mutating func appendASCII(_ input: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) {
        let length = end - start
        while count + length > capacity { grow() }
        let source = input.baseAddress! + start
        let bytes = self.bytes + count, starts = self.starts + count, ends = self.ends + count
        for offset in 0..<length {
            bytes[offset] = foldedASCII(source[offset])
            starts[offset] = UInt32(truncatingIfNeeded: start + offset)
            ends[offset] = UInt32(truncatingIfNeeded: start + offset + 1)
        }
        count += length
    }

    /// Widens the source of the bytes that end at `start` so they end at `end` instead.
    mutating func extendPrevious(endingAt start: UInt32, to end: UInt32) {
        var back = count - 1
        while back >= 0, ends[back] == start {
            ends[back] = end
            back -= 1
        }
    }

    private mutating func grow() {
        let larger = capacity * 2
        func moved<T>(_ old: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<T> {
            let new = UnsafeMutablePointer<T>.allocate(capacity: larger)
            new.moveInitialize(from: old, count: count)
            old.deallocate()
            return new
        }
        bytes = moved(bytes)
        starts = moved(starts)
        ends = moved(ends)
        capacity = larger
    }

    /// The arrays, and the buffers freed.
    consuming func finish() -> ([UInt8], [UInt32], [UInt32]) {
        let result = (Array(UnsafeBufferPointer(start: bytes, count: count)),
                      Array(UnsafeBufferPointer(start: starts, count: count)),
                      Array(UnsafeBufferPointer(start: ends, count: count)))
        bytes.deallocate()
        starts.deallocate()
        ends.deallocate()
        return result
    }
}

/// A token of the folded view: a byte range and a hash of its bytes, so that keyword lookups
/// compare integers first and bytes only on a hash hit.
public struct Token: Sendable, Hashable {
    public let start: UInt32
    public let end: UInt32
    public let hash: UInt64
    public var length: Int { Int(end - start) }
}


/// Decodes the scalar starting at `index` of valid UTF-8.
@inline(__always)
func decodeScalar(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> (UInt32, Int) {
    let lead = bytes[index]
    if lead < 0x80 { return (UInt32(lead), 1) }
    if lead < 0xE0, index + 1 < bytes.count {
        return ((UInt32(lead & 0x1F) << 6) | UInt32(bytes[index + 1] & 0x3F), 2)
    }
    if lead < 0xF0, index + 2 < bytes.count {
        return ((UInt32(lead & 0x0F) << 12) | (UInt32(bytes[index + 1] & 0x3F) << 6)
            | UInt32(bytes[index + 2] & 0x3F), 3)
    }
    if index + 3 < bytes.count {
        return ((UInt32(lead & 0x07) << 18) | (UInt32(bytes[index + 1] & 0x3F) << 12)
            | (UInt32(bytes[index + 2] & 0x3F) << 6) | UInt32(bytes[index + 3] & 0x3F), 4)
    }
    return (0xFFFD, 1)
}
