/// Splits folded text into word tokens.
///
/// A token is a run of letters and digits. Everything else separates tokens — in particular
/// apostrophes and hyphens, which is what makes French elision work without a special case:
/// `l'ia` is `l` + `ia`, so a keyword `IA` matches it. Each emoji is a token of its own so that
/// lexicons can give it a valence.
public enum Tokenizer {
    public static func tokens(of folded: [UInt8]) -> [Token] {
        folded.withUnsafeBufferPointer(tokens(in:))
    }

    /// The loop, with every variable its own: state shared with a nested function was boxed and
    /// checked for exclusive access at every byte, which was a third of tokenizing.
    private static func tokens(in bytes: UnsafeBufferPointer<UInt8>) -> [Token] {
        asciiWordBytes.withUnsafeBufferPointer { tokens(in: bytes, asciiWordBytes: $0) }
    }

    private static func tokens(in bytes: UnsafeBufferPointer<UInt8>, asciiWordBytes: UnsafeBufferPointer<Bool>) -> [Token] {
        var tokens: [Token] = []
        tokens.reserveCapacity(bytes.count / 5)
        guard let base = bytes.baseAddress else { return tokens }
        let raw = UnsafeRawPointer(base)
        let count = bytes.count
        var index = 0
        // Start of a token that holds a character beyond ASCII, while it lasts (-1 otherwise).
        var tokenStart = -1
        while index < count {
            let byte = bytes[index]
            if byte < 0x80 {
                guard asciiWordBytes[Int(byte)] else {
                    if tokenStart >= 0 {
                        tokens.append(token(raw, from: tokenStart, to: index))
                        tokenStart = -1
                    }
                    index += 1
                    continue
                }
                // A run of ASCII letters and digits, eight bytes at a time: it stops at the
                // first byte that is neither (see `nonWordBytes`). Most words end within their
                // first eight bytes: one load, one test, and the hash from the same load.
                let runStart = index
                if tokenStart < 0, index + 8 <= count {
                    let first = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                    let stops = nonWordBytes(first)
                    if stops != 0 {
                        index &+= stops.trailingZeroBitCount &>> 3
                        // A letter beyond ASCII right after the word continues it: the loop over
                        // characters below finishes that token.
                        guard index == count || bytes[index] < 0x80 else {
                            tokenStart = runStart
                            continue
                        }
                        let length = index &- runStart
                        tokens.append(Token(start: UInt32(runStart), end: UInt32(index), hash: TokenHash.ofASCII(first, length: length)))
                        // The byte that ended the word is an ASCII separator (the guard above):
                        // no turn of this loop for it.
                        index &+= 1
                        continue
                    }
                    index &+= 8
                }
                while true {
                    guard index + 8 <= count else {
                        while index < count, asciiWordBytes[Int(bytes[index])] { index += 1 }
                        break
                    }
                    let stops = nonWordBytes(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)))
                    if stops != 0 {
                        index += stops.trailingZeroBitCount &>> 3
                        break
                    }
                    index += 8
                }
                // A letter beyond ASCII right after the run, or before it, makes one token with
                // it: the loop over characters below finishes that token.
                if tokenStart >= 0 || (index < count && bytes[index] >= 0x80) {
                    if tokenStart < 0 { tokenStart = runStart }
                    continue
                }
                let length = index &- runStart
                let hash = TokenHash.of(UnsafeRawBufferPointer(start: raw + runStart, count: length), readableAfter: count &- index)
                tokens.append(Token(start: UInt32(runStart), end: UInt32(index), hash: hash))
                continue
            }
            let (value, length) = decodeScalar(bytes, at: index)
            switch value < classTableLimit ? classTable[Int(value)] : characterClass(of: value) {
            case .word:
                if tokenStart < 0 { tokenStart = index }
            case .symbolToken:
                if tokenStart >= 0 {
                    tokens.append(token(raw, from: tokenStart, to: index))
                    tokenStart = -1
                }
                tokens.append(token(raw, from: index, to: index + length))
            case .separator:
                if tokenStart >= 0 {
                    tokens.append(token(raw, from: tokenStart, to: index))
                    tokenStart = -1
                }
            }
            index += length
        }
        if tokenStart >= 0 { tokens.append(token(raw, from: tokenStart, to: count)) }
        return tokens
    }

    @inline(__always)
    private static func token(_ text: UnsafeRawPointer, from start: Int, to end: Int) -> Token {
        Token(start: UInt32(start), end: UInt32(end), hash: TokenHash.of(UnsafeRawBufferPointer(start: text + start, count: end - start)))
    }

    /// The bytes of `group` that are not ASCII letters or digits, as the top bit of each: eight
    /// bytes classified in a dozen operations on one integer, where the loop over each byte
    /// read a table and took a branch a byte. A byte from 0x80 counts as neither.
    @inline(__always)
    static func nonWordBytes(_ group: UInt64) -> UInt64 {
        let high: UInt64 = 0x8080_8080_8080_8080
        let low = group & ~high
        let digits = sevenBitBytes(atLeast: 0x30, in: low) & ~sevenBitBytes(atLeast: 0x3A, in: low)
        let lowerCase = low | 0x2020_2020_2020_2020
        let letters = sevenBitBytes(atLeast: 0x61, in: lowerCase) & ~sevenBitBytes(atLeast: 0x7B, in: lowerCase)
        return ~((digits | letters) & ~group) & high
    }

    /// The hash a token with these folded bytes gets; used to build lookup tables. Inlinable,
    /// and read in place when the bytes are contiguous (arrays, slices, buffers, the UTF-8 of a
    /// native string): the rules and lexicons hash every phrase's tokens while loading, and
    /// some passes hash a chunk of a document (the emoticons, the shortest prefixes).
    @inlinable
    public static func hash<Bytes: Sequence>(_ bytes: Bytes) -> UInt64 where Bytes.Element == UInt8 {
        bytes.withContiguousStorageIfAvailable { TokenHash.of(UnsafeRawBufferPointer($0)) }
            ?? Array(bytes).withUnsafeBytes { TokenHash.of($0) }
    }

    enum CharacterClass { case word, symbolToken, separator }

    static func characterClass(of value: UInt32) -> CharacterClass {
        guard let scalar = Unicode.Scalar(value) else { return .separator }
        let properties = scalar.properties
        if properties.isAlphabetic || properties.numericType != nil { return .word }
        if properties.isEmojiPresentation || (properties.isEmoji && value >= 0x2000) {
            return .symbolToken
        }
        return .separator
    }

    /// Classes of the scalars below ``classTableLimit``: Unicode property lookups cost more than
    /// the rest of tokenizing a letter. Shipped in ``FoldingData`` (computed, it was 10 M
    /// instructions of every process's start); `FoldingDataTests` checks it against
    /// ``characterClass(of:)``.
    static let classTableLimit: UInt32 = 0x3000
    static let classTable: [CharacterClass] = FoldingData.characterClasses(count: Int(classTableLimit))

    /// Whether each byte is an ASCII letter or digit (`false` for every byte from 0x80).
    static let asciiWordBytes: [Bool] = (0...255).map { $0 < 0x80 && isASCIIWordByte(UInt8($0)) }

}

/// The hash of a token's bytes: eight bytes at a time, a multiplication for each eight, then
/// mixed with the length so that every bit depends on every byte. Byte-by-byte FNV-1a, used
/// before, took the bytes one at a time, in a loop whose exit at each word's end was a branch
/// the processor could not predict; the tokenizer now finds a word's end with one test of eight
/// bytes and hashes the word from the same load. The top bit is not hashed: it is
/// ``Token/nonASCIIMark`` when a byte is beyond ASCII (see ``Token/isASCII``).
public enum TokenHash {
    @usableFromInline static let seed: UInt64 = 0x243F_6A88_85A3_08D3
    @usableFromInline static let multiplier: UInt64 = 0x9E37_79B9_7F4A_7C15
    @usableFromInline static let finalMultiplier: UInt64 = 0xFF51_AFD7_ED55_8CCD

    /// The hash of `bytes`, read eight at a time (the last group zero-padded).
    ///
    /// - Parameter readableAfter: how many bytes after `bytes` may be read (and ignored): when
    ///   eight bytes from the start of the last, partial group can be read, that group is one
    ///   load under a mask rather than a byte at a time.
    public static func of(_ bytes: UnsafeRawBufferPointer, readableAfter: Int = 0) -> UInt64 {
        var state = seed
        var beyondASCII: UInt64 = 0
        var offset = 0
        let count = bytes.count
        while offset + 8 <= count {
            let group = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            beyondASCII |= group
            state = mix(state, group)
            offset += 8
        }
        if offset < count {
            let remaining = count - offset
            var group: UInt64 = 0
            if readableAfter >= 8 - remaining, let base = bytes.baseAddress {
                let loaded = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                group = loaded & lowBytesMask(remaining)
            } else {
                for position in offset..<count { group |= UInt64(bytes[position]) &<< UInt64(8 * (position - offset)) }
            }
            beyondASCII |= group
            state = mix(state, group)
        }
        return finish(state, length: count, nonASCII: beyondASCII & 0x8080_8080_8080_8080 != 0)
    }

    /// The hash of an ASCII token of `length` bytes (1...8), the low bytes of `group` (the
    /// bytes above them are ignored): ``of(_:)`` without reading them again.
    @inlinable @inline(__always)
    public static func ofASCII(_ group: UInt64, length: Int) -> UInt64 {
        finish(mix(seed, group & lowBytesMask(length)), length: length, nonASCII: false)
    }

    @inlinable @inline(__always)
    static func mix(_ state: UInt64, _ group: UInt64) -> UInt64 {
        let product = (state ^ group) &* multiplier
        return product ^ (product &>> 29)
    }

    @inlinable @inline(__always)
    static func finish(_ state: UInt64, length: Int, nonASCII: Bool) -> UInt64 {
        var value = (state ^ UInt64(truncatingIfNeeded: length)) &* finalMultiplier
        value ^= value &>> 32
        return (value & ~Token.nonASCIIMark) | (nonASCII ? Token.nonASCIIMark : 0)
    }
}

/// Whether an ASCII byte is a letter or a digit: a bit of two 64-bit constants, so the loop over
/// every byte reads no table (a global array is also a lazy-initialisation check per access).
@inline(__always)
func isASCIIWordByte(_ byte: UInt8) -> Bool {
    let digits: UInt64 = 0x03FF_0000_0000_0000              // 48...57
    let letters: UInt64 = 0x07FF_FFFE_07FF_FFFE             // 65...90 and 97...122, less 64
    return ((byte < 64 ? digits : letters) >> UInt64(byte & 63)) & 1 != 0
}
