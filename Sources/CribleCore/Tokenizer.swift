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
        var index = 0
        var tokenStart = -1
        var hash = fnvOffset
        var nonASCII: UInt64 = 0
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            if byte < 0x80 {
                guard asciiWordBytes[Int(byte)] else {
                    close(&tokens, &tokenStart, &hash, &nonASCII, at: index)
                    index += 1
                    continue
                }
                if tokenStart < 0 { tokenStart = index }
                hash = (hash ^ UInt64(byte)) &* fnvPrime
                index += 1
                // The rest of the ASCII run, in a loop of its own: one table read and one hash
                // step a byte, where the loop over every kind of byte spent fifteen instructions.
                while index < count, asciiWordBytes[Int(bytes[index])] {
                    hash = (hash ^ UInt64(bytes[index])) &* fnvPrime
                    index += 1
                }
                continue
            }
            let (value, length) = decodeScalar(bytes, at: index)
            switch value < classTableLimit ? classTable[Int(value)] : characterClass(of: value) {
            case .word:
                if tokenStart < 0 { tokenStart = index }
                nonASCII = Token.nonASCIIMark
                for offset in 0..<length { hash = (hash ^ UInt64(bytes[index + offset])) &* fnvPrime }
            case .symbolToken:
                close(&tokens, &tokenStart, &hash, &nonASCII, at: index)
                var symbolHash = fnvOffset
                for offset in 0..<length { symbolHash = (symbolHash ^ UInt64(bytes[index + offset])) &* fnvPrime }
                tokens.append(Token(start: UInt32(index), end: UInt32(index + length),
                                    hash: marked(symbolHash, nonASCII: Token.nonASCIIMark)))
            case .separator:
                close(&tokens, &tokenStart, &hash, &nonASCII, at: index)
            }
            index += length
        }
        close(&tokens, &tokenStart, &hash, &nonASCII, at: count)
        return tokens
    }

    /// Ends the token in progress, if any, at `end`.
    @inline(__always)
    private static func close(_ tokens: inout [Token], _ tokenStart: inout Int, _ hash: inout UInt64,
                              _ nonASCII: inout UInt64, at end: Int) {
        guard tokenStart >= 0 else { return }
        tokens.append(Token(start: UInt32(tokenStart), end: UInt32(end), hash: marked(hash, nonASCII: nonASCII)))
        tokenStart = -1
        hash = fnvOffset
        nonASCII = 0
    }

    /// The hash a token with these folded bytes gets; used to build lookup tables. Inlinable, so
    /// that each caller gets it for its own kind of bytes: called through the generic interface
    /// from other modules, it walked an iterator boxed for every byte while the packs loaded.
    @inlinable
    public static func hash<Bytes: Sequence>(_ bytes: Bytes) -> UInt64 where Bytes.Element == UInt8 {
        var hash = fnvOffset
        var nonASCII: UInt64 = 0
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* fnvPrime
            if byte >= 0x80 { nonASCII = Token.nonASCIIMark }
        }
        return marked(hash, nonASCII: nonASCII)
    }

    /// An FNV-1a hash with its top bit replaced by ``Token/nonASCIIMark`` or 0 (see
    /// ``Token/isASCII``). A function of the bytes like the rest of the hash, so tables built
    /// from ``hash(_:)`` and tokens from the tokenizer agree.
    @inlinable @inline(__always)
    public static func marked(_ fnv: UInt64, nonASCII: UInt64) -> UInt64 {
        (fnv & ~Token.nonASCIIMark) | nonASCII
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

    public static let fnvOffset: UInt64 = 0xcbf2_9ce4_8422_2325
    public static let fnvPrime: UInt64 = 0x0000_0100_0000_01b3
}

/// Whether an ASCII byte is a letter or a digit: a bit of two 64-bit constants, so the loop over
/// every byte reads no table (a global array is also a lazy-initialisation check per access).
@inline(__always)
func isASCIIWordByte(_ byte: UInt8) -> Bool {
    let digits: UInt64 = 0x03FF_0000_0000_0000              // 48...57
    let letters: UInt64 = 0x07FF_FFFE_07FF_FFFE             // 65...90 and 97...122, less 64
    return ((byte < 64 ? digits : letters) >> UInt64(byte & 63)) & 1 != 0
}
