/// Splits folded text into word tokens.
///
/// A token is a run of letters and digits. Everything else separates tokens — in particular
/// apostrophes and hyphens, which is what makes French elision work without a special case:
/// `l'ia` is `l` + `ia`, so a keyword `IA` matches it. Each emoji is a token of its own so that
/// lexicons can give it a valence.
public enum Tokenizer {
    public static func tokens(of folded: [UInt8]) -> [Token] {
        var tokens: [Token] = []
        tokens.reserveCapacity(folded.count / 5)
        folded.withUnsafeBufferPointer { bytes in
            var index = 0
            var tokenStart = -1
            var hash = fnvOffset
            let count = bytes.count
            @inline(__always) func close(at end: Int) {
                if tokenStart >= 0 {
                    tokens.append(Token(start: UInt32(tokenStart), end: UInt32(end), hash: hash))
                    tokenStart = -1
                    hash = fnvOffset
                }
            }
            while index < count {
                let byte = bytes[index]
                if byte < 0x80 {
                    if isASCIIWordByte(byte) {
                        if tokenStart < 0 { tokenStart = index }
                        hash = (hash ^ UInt64(byte)) &* fnvPrime
                    } else {
                        close(at: index)
                    }
                    index += 1
                    continue
                }
                let (value, length) = decodeScalar(bytes, at: index)
                switch value < classTableLimit ? classTable[Int(value)] : characterClass(of: value) {
                case .word:
                    if tokenStart < 0 { tokenStart = index }
                    for offset in 0..<length { hash = (hash ^ UInt64(bytes[index + offset])) &* fnvPrime }
                case .symbolToken:
                    close(at: index)
                    var symbolHash = fnvOffset
                    for offset in 0..<length { symbolHash = (symbolHash ^ UInt64(bytes[index + offset])) &* fnvPrime }
                    tokens.append(Token(start: UInt32(index), end: UInt32(index + length), hash: symbolHash))
                case .separator:
                    close(at: index)
                }
                index += length
            }
            close(at: count)
        }
        return tokens
    }

    /// The hash a token with these folded bytes gets; used to build lookup tables.
    public static func hash<Bytes: Sequence>(_ bytes: Bytes) -> UInt64 where Bytes.Element == UInt8 {
        var hash = fnvOffset
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* fnvPrime }
        return hash
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

    /// Classes of the scalars below ``classTableLimit``, computed once: Unicode property lookups
    /// cost more than the rest of tokenizing a letter.
    static let classTableLimit: UInt32 = 0x3000
    static let classTable: [CharacterClass] = (0..<classTableLimit).map { characterClass(of: $0) }

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
