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
    /// The map from ``folded`` back to ``original``, as runs (see ``FoldedRun``): one per run of
    /// ASCII and one per other character, where a table of two offsets per folded byte took eight
    /// bytes of writes for each byte of text.
    let runs: [FoldedRun]
    /// Word tokens of the folded view (letters and digits; each emoji is a token of its own).
    public let tokens: [Token]
    /// Number of tokens; kept by ``compacted()``, which drops the tokens themselves.
    public let tokenCount: Int
    /// Where each token comes from in ``original``, found in one walk of the tokens beside the
    /// map when the view is built: hits are reported by token, some 80 per article, and a binary
    /// search of the map for each (a mispredicted branch at most of its steps) cost more than
    /// the walk.
    @usableFromInline let tokenSources: [TokenSource]

    public init(_ text: String) {
        self.init(utf8: Array(text.utf8))
    }

    /// - Precondition: `utf8` is valid UTF-8 (``Document`` checks this when reading input).
    public init(utf8: [UInt8]) {
        original = utf8
        (folded, runs) = utf8.withUnsafeBufferPointer(TextView.fold)
        self.tokens = Tokenizer.tokens(of: folded)
        self.tokenCount = tokens.count
        tokenSources = TextView.sources(of: tokens, runs: runs, foldedCount: folded.count)
    }

    /// The original range of each token: the source start of its first byte and the source end
    /// of its last, as ``originalRange(ofFolded:)`` gives them. Most tokens lie inside one run of
    /// ASCII, short of its last byte, and take a subtraction each.
    private static func sources(of tokens: [Token], runs: [FoldedRun], foldedCount: Int) -> [TokenSource] {
        [TokenSource](unsafeUninitializedCapacity: tokens.count) { sources, initialized in
            tokens.withUnsafeBufferPointer { tokens in
            runs.withUnsafeBufferPointer { runs in
                var run = 0
                // Where the run after `run` starts (the end of the text for the last run).
                var nextStart = runs.count > 1 ? runs[1].foldedStart : UInt32(truncatingIfNeeded: foldedCount)
                for index in 0..<tokens.count {
                    let token = tokens[index]
                    // Tokens are in order: the run of each start is at or after the last one.
                    while token.start >= nextStart {
                        run += 1
                        nextStart = run + 1 < runs.count ? runs[run + 1].foldedStart : UInt32(truncatingIfNeeded: foldedCount)
                    }
                    let current = runs[run]
                    let last = token.end &- 1
                    let start = current.isCharacter ? current.originalStart : current.originalStart &+ (token.start &- current.foldedStart)
                    let end: UInt32
                    if !current.isCharacter, last &+ 1 < nextStart {
                        end = current.originalStart &+ (last &- current.foldedStart) &+ 1
                    } else {
                        var endRun = run
                        while endRun + 1 < runs.count, runs[endRun + 1].foldedStart <= last { endRun += 1 }
                        end = UInt32(truncatingIfNeeded: sourceEnd(of: Int(last), inRun: endRun, of: runs, foldedCount: foldedCount))
                    }
                    sources[index] = TokenSource(start: start, end: end)
                }
            }}
            initialized = tokens.count
        }
    }

    /// The folded bytes and their map. A function of its own, so that the output buffers are its
    /// local state: captured by a closure, every append was checked for exclusive access.
    private static func fold(_ input: UnsafeBufferPointer<UInt8>) -> ([UInt8], [FoldedRun]) {
        // The table through a pointer read once: through its global, each accented letter paid
        // a call to check that the table was built.
        FoldingTable.packed.withUnsafeBufferPointer { fold(input, packedTable: $0) }
    }

    private static func fold(_ input: UnsafeBufferPointer<UInt8>, packedTable: UnsafeBufferPointer<UInt64>) -> ([UInt8], [FoldedRun]) {
        var output = FoldOutput(capacity: input.count * 2 + 16)
        var index = 0
        let count = input.count
        while index < count {
            if input[index] < 0x80 {
                // Most text is runs of ASCII: each run is folded sixteen bytes at a time, in the
                // same loop that finds its end.
                index = output.appendASCIIRun(input, from: index)
                continue
            }
            let (value, length) = decodeScalar(input, at: index)
            let start = UInt32(index)
            let end = UInt32(index + length)
            if value < FoldingTable.packedLimit {
                let packed = packedTable[Int(value)]
                switch packed >> 40 {
                case 0:
                    output.startCharacter(from: start, to: end)
                    for offset in 0..<length { output.append(input[index + offset]) }
                    index += length
                    continue
                case 2:
                    let replacementCount = Int((packed >> 32) & 0xFF)
                    output.startCharacter(from: start, to: end)
                    for offset in 0..<replacementCount {
                        output.append(UInt8(truncatingIfNeeded: packed >> UInt64(8 * offset)))
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
                output.startCharacter(from: start, to: end)
                for offset in 0..<length { output.append(input[index + offset]) }
            case .bytes(let replacement):
                output.startCharacter(from: start, to: end)
                for replacementByte in replacement { output.append(replacementByte) }
            }
            index += length
        }
        return output.finish()
    }

    private init(compacting view: TextView) {
        original = view.original
        folded = []
        runs = []
        tokens = []
        tokenCount = view.tokenCount
        tokenSources = []
    }

    /// The original text alone, for a verdict that waits in a batch to be reported: reporters
    /// need the original bytes and the token count, not the folded view, its map and tokens.
    public func compacted() -> TextView { TextView(compacting: self) }

    /// The original bytes a range of the folded view came from.
    public func originalRange(ofFolded range: Range<Int>) -> Range<Int> {
        guard !range.isEmpty else {
            let position = range.lowerBound < folded.count ? sourceStart(of: range.lowerBound) : original.count
            return position..<position
        }
        // The end's run is found by walking on from the start's: a hit spans a word or a few, so
        // it is nearly always the same run or one of the next few, where a second binary search
        // took as long as the first.
        let startRun = run(holding: range.lowerBound)
        let last = UInt32(truncatingIfNeeded: range.upperBound - 1)
        var endRun = startRun
        var steps = 0
        while endRun + 1 < runs.count, runs[endRun + 1].foldedStart <= last {
            endRun += 1
            steps += 1
            // A long match (a regex over a paragraph) crosses many runs: searched instead.
            if steps == 8 {
                endRun = run(holding: range.upperBound - 1)
                break
            }
        }
        return sourceStart(of: range.lowerBound, inRun: startRun)..<sourceEnd(of: range.upperBound - 1, inRun: endRun)
    }

    /// Index in ``runs`` of the run holding folded byte `position`: the last run starting at or
    /// before it (a few comparisons: a French article has a run per accented letter or so).
    @inline(__always)
    private func run(holding position: Int) -> Int {
        runs.lastIndex(withKeyAtMost: UInt32(truncatingIfNeeded: position)) { $0.foldedStart } ?? 0
    }

    /// Where the character that folded byte `position` comes from starts in ``original``.
    private func sourceStart(of position: Int, inRun index: Int? = nil) -> Int {
        TextView.sourceStart(of: position, in: runs[index ?? run(holding: position)])
    }

    /// Where that character ends, including the combining marks dropped after it.
    private func sourceEnd(of position: Int, inRun known: Int? = nil) -> Int {
        runs.withUnsafeBufferPointer { runs in
            TextView.sourceEnd(of: position, inRun: known ?? run(holding: position), of: runs, foldedCount: folded.count)
        }
    }

    @inline(__always)
    private static func sourceStart(of position: Int, in run: FoldedRun) -> Int {
        run.isCharacter ? Int(run.originalStart) : Int(run.originalStart) + position - Int(run.foldedStart)
    }

    @inline(__always)
    private static func sourceEnd(of position: Int, inRun index: Int, of runs: UnsafeBufferPointer<FoldedRun>, foldedCount: Int) -> Int {
        let run = runs[index]
        if run.isCharacter { return Int(run.originalEnd) }
        let runEnd = index + 1 < runs.count ? Int(runs[index + 1].foldedStart) : foldedCount
        return position == runEnd - 1 ? Int(run.originalEnd) : Int(run.originalStart) + position - Int(run.foldedStart) + 1
    }

    /// The original bytes covered by tokens `first...last`. Inlinable: the rules ask it for every
    /// keyword hit, from another module, and the call cost more than the two reads.
    @inlinable
    public func originalRange(ofTokens first: Int, through last: Int) -> Range<Int> {
        Int(tokenSources[first].start)..<Int(tokenSources[last].end)
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

/// Where a token comes from in the original text.
@usableFromInline
struct TokenSource: Sendable {
    @usableFromInline let start: UInt32
    @usableFromInline let end: UInt32
}

/// A stretch of the folded view and where it comes from. Either a run of ASCII, whose bytes map
/// one to one onto the original bytes from ``originalStart`` on (the last one ending at
/// ``originalEnd``, which takes in any combining mark dropped after it), or the folded bytes of
/// one other character, which all map to the whole of it, ``originalStart``..<``originalEnd``.
struct FoldedRun: Sendable {
    let foldedStart: UInt32
    let originalStart: UInt32
    var originalEnd: UInt32
    let isCharacter: Bool
}

/// The folded bytes and their runs while a view is built: a raw buffer and a small array, which
/// costs a fraction of growing arrays (this loop runs for every input byte).
private struct FoldOutput {
    private var bytes: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var count = 0
    private var runs: [FoldedRun] = []

    init(capacity: Int) {
        self.capacity = capacity
        bytes = .allocate(capacity: capacity)
        // About one run per 40 bytes of French news (a run of ASCII, then an accented letter).
        runs.reserveCapacity(capacity / 32 + 4)
    }

    /// Begins the folded bytes of the character at `start..<end` of the input.
    @inline(__always)
    mutating func startCharacter(from start: UInt32, to end: UInt32) {
        runs.append(FoldedRun(foldedStart: UInt32(truncatingIfNeeded: count), originalStart: start, originalEnd: end, isCharacter: true))
    }

    /// One folded byte of the character begun last.
    @inline(__always)
    mutating func append(_ byte: UInt8) {
        if count == capacity { grow(toFit: 1) }
        bytes[count] = byte
        count += 1
    }

    /// The run of ASCII from `start` (whose byte is ASCII) to the next byte beyond ASCII or the
    /// end: each byte folded, and its own source. Returns where the run ends.
    ///
    /// Sixteen bytes at a time: the capitals' lanes, as bytes, keep the bit (0x20) that makes
    /// them small letters, and the lanes beyond ASCII end the run. Each block is written whole:
    /// its lanes past the run are written beyond `count` (where the next bytes will be written
    /// over them), which the capacity allows, and read zero-padded at the end of the input. A
    /// run is some forty bytes; found first and folded after, it took two loops whose exits
    /// (at a different length every time) were each a mispredicted branch per run.
    @inline(__always)
    mutating func appendASCIIRun(_ input: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        let capitalBit = ByteVector(repeating: 0x20)
        var position = start
        while true {
            let written = position &- start
            if count &+ written &+ 16 > capacity { grow(toFit: written + 16) }
            let vector = input.zeroPaddedVector(at: position)
            let capitals = unsafeBitCast(vector.lanes(in: 0x41...0x5A), to: ByteVector.self)
            UnsafeMutableRawPointer(bytes + count).storeBytes(of: vector | (capitals & capitalBit), toByteOffset: written,
                                                              as: ByteVector.self)
            let beyondASCII = vector.nonASCIILanes.packedBits
            if beyondASCII != 0 {
                position &+= beyondASCII.trailingZeroBitCount
                break
            }
            position &+= 16
            if position >= input.count {
                position = input.count
                break
            }
        }
        runs.append(FoldedRun(foldedStart: UInt32(truncatingIfNeeded: count), originalStart: UInt32(truncatingIfNeeded: start),
                              originalEnd: UInt32(truncatingIfNeeded: position), isCharacter: false))
        count &+= position &- start
        return position
    }

    /// Widens the source of the folded bytes that end at `start` (those of the last character or
    /// the last byte of an ASCII run, when they have not been dropped too) so they end at `end`.
    mutating func extendPrevious(endingAt start: UInt32, to end: UInt32) {
        guard let last = runs.indices.last, runs[last].originalEnd == start,
              Int(runs[last].foldedStart) < count else { return }
        runs[last].originalEnd = end
    }

    private mutating func grow(toFit extra: Int) {
        var larger = capacity * 2
        while larger < count + extra { larger *= 2 }
        let new = UnsafeMutablePointer<UInt8>.allocate(capacity: larger)
        new.moveInitialize(from: bytes, count: count)
        bytes.deallocate()
        bytes = new
        capacity = larger
    }

    /// The folded bytes and the runs, and the buffer freed.
    consuming func finish() -> ([UInt8], [FoldedRun]) {
        let folded = Array(UnsafeBufferPointer(start: bytes, count: count))
        bytes.deallocate()
        return (folded, runs)
    }
}

/// A token of the folded view: a byte range and a hash of its bytes, so that keyword lookups
/// compare integers first and bytes only on a hash hit.
public struct Token: Sendable, Hashable {
    public let start: UInt32
    public let end: UInt32
    /// ``TokenHash`` of the folded bytes, whose top bit is ``nonASCIIMark`` when a byte is beyond
    /// ASCII. The tokenizer knows that for nothing (it takes such bytes apart anyway), and
    /// passes that ask it of every token (where words start, for the regular expressions) no
    /// longer read the bytes again. A 63-bit hash still leaves collisions to chance alone.
    public let hash: UInt64
    /// Without an overflow check: a token never ends before it starts, and the check was a
    /// test of every token in every pass.
    public var length: Int { Int(end &- start) }

    /// Whether every byte of the token is ASCII.
    @inlinable public var isASCII: Bool { hash & Token.nonASCIIMark == 0 }

    public static let nonASCIIMark: UInt64 = 1 << 63
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
