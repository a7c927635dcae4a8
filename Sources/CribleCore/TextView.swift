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
        var folded: [UInt8] = []
        var starts: [UInt32] = []
        var ends: [UInt32] = []
        folded.reserveCapacity(utf8.count + utf8.count / 16)
        starts.reserveCapacity(utf8.count + utf8.count / 16)
        ends.reserveCapacity(utf8.count + utf8.count / 16)
        utf8.withUnsafeBufferPointer { input in
            var index = 0
            let count = input.count
            while index < count {
                let byte = input[index]
                if byte < 0x80 {
                    folded.append(asciiLowercase[Int(byte)])
                    starts.append(UInt32(index))
                    ends.append(UInt32(index + 1))
                    index += 1
                    continue
                }
                let (value, length) = decodeScalar(input, at: index)
                let start = UInt32(index)
                let end = UInt32(index + length)
                if value < FoldingTable.packedLimit {
                    let packed = FoldingTable.packed[Int(value)]
                    switch packed >> 40 {
                    case 0:
                        for offset in 0..<length {
                            folded.append(input[index + offset])
                            starts.append(start)
                            ends.append(end)
                        }
                        index += length
                        continue
                    case 2:
                        let count = Int((packed >> 32) & 0xFF)
                        for offset in 0..<count {
                            folded.append(UInt8(truncatingIfNeeded: packed >> UInt64(8 * offset)))
                            starts.append(start)
                            ends.append(end)
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
                    var back = ends.count - 1
                    while back >= 0, ends[back] == start {
                        ends[back] = end
                        back -= 1
                    }
                case .keep:
                    for offset in 0..<length {
                        folded.append(input[index + offset])
                        starts.append(start)
                        ends.append(end)
                    }
                case .bytes(let replacement):
                    for replacementByte in replacement {
                        folded.append(replacementByte)
                        starts.append(start)
                        ends.append(end)
                    }
                }
                index += length
            }
        }
        self.folded = folded
        self.sourceStart = starts
        self.sourceEnd = ends
        self.tokens = Tokenizer.tokens(of: folded)
        self.tokenCount = tokens.count
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

/// A token of the folded view: a byte range and a hash of its bytes, so that keyword lookups
/// compare integers first and bytes only on a hash hit.
public struct Token: Sendable, Hashable {
    public let start: UInt32
    public let end: UInt32
    public let hash: UInt64
    public var length: Int { Int(end - start) }
}

private let asciiLowercase: [UInt8] = (0..<128).map { byte in
    (65...90).contains(byte) ? UInt8(byte + 32) : UInt8(byte)
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
