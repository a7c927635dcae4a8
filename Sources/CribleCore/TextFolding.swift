import Foundation

/// How an ASCII byte appears in the folded view: capitals lowered, everything else kept. Rule
/// compilation folds one-word keywords and regex literals with it too, so they agree with
/// documents by construction.
@inlinable @inline(__always)
public func foldedASCII(_ byte: UInt8) -> UInt8 { byte &- 65 < 26 ? byte | 0x20 : byte }

/// How one Unicode scalar appears in the folded view.
///
/// Folding is what lets a rule written as `donnees personnelles` (or `Données personnelles`)
/// match `DONNÉES PERSONNELLES`, `donne\u{301}es personnelles` and `données\u{a0}personnelles`
/// alike. It is done scalar by scalar with a lookup table, because Foundation's string folding
/// runs at about 20 MB/s and offers no way back to the original offsets.
enum ScalarFold {
    /// The scalar disappears (combining accents, zero-width characters, soft hyphens, variation
    /// selectors).
    case drop
    /// The scalar is replaced by these UTF-8 bytes.
    case bytes([UInt8])
    /// The scalar is kept as it is.
    case keep
}

/// The folding table for non-ASCII scalars.
///
/// Built once per process. Latin, Greek and Cyrillic blocks are precomputed with Foundation's
/// case- and diacritic-insensitive folding (which covers the long tail of Latin letters with
/// accents, hooks and strokes); a handful of typographic characters are overridden so that French
/// typography folds to what people type on a keyboard.
enum FoldingTable {
    static let precomputedRanges: [ClosedRange<UInt32>] = [
        0x80...0x24F, 0x370...0x3FF, 0x400...0x4FF, 0x1E00...0x1EFF,
    ]

    /// Keyed by scalar value, for the precomputed ranges and the typographic overrides.
    static let table: [UInt32: ScalarFold] = {
        var table: [UInt32: ScalarFold] = [:]
        for range in precomputedRanges {
            for value in range {
                guard let scalar = Unicode.Scalar(value) else { continue }
                let folded = String(Character(scalar))
                    .folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
                    .precomposedStringWithCompatibilityMapping
                let bytes = Array(folded.utf8)
                if folded.unicodeScalars.count == 1, folded.unicodeScalars.first == scalar {
                    table[value] = .keep
                } else if bytes.isEmpty {
                    table[value] = .drop
                } else {
                    table[value] = .bytes(bytes)
                }
            }
        }
        // Ligatures and letters that diacritic folding leaves alone.
        for (value, replacement) in [
            (0x00C6, "ae"), (0x00E6, "ae"), (0x0152, "oe"), (0x0153, "oe"), (0x00DF, "ss"),
            (0x00D8, "o"), (0x00F8, "o"), (0x0141, "l"), (0x0142, "l"), (0x0110, "d"), (0x0111, "d"),
            (0x00D0, "d"), (0x00F0, "d"), (0x00DE, "th"), (0x00FE, "th"), (0x0131, "i"),
        ] as [(UInt32, String)] {
            table[value] = .bytes(Array(replacement.utf8))
        }
        // Apostrophes and primes people type for an apostrophe.
        for value: UInt32 in [0x2019, 0x2018, 0x02BC, 0x02BB, 0x2032, 0x00B4, 0x02B9, 0xFF07] {
            table[value] = .bytes([0x27])
        }
        // Double quotes other than « ».
        for value: UInt32 in [0x201C, 0x201D, 0x201E, 0x201F, 0x2033, 0xFF02] {
            table[value] = .bytes([0x22])
        }
        // Spaces: no-break, narrow no-break (French typography), thin, figure, ideographic…
        for value: UInt32 in [0x00A0, 0x202F, 0x2007, 0x2009, 0x200A, 0x2002, 0x2003, 0x2004,
                              0x2005, 0x2006, 0x2008, 0x205F, 0x3000, 0x1680] {
            table[value] = .bytes([0x20])
        }
        table[0x2028] = .bytes([0x0A])
        table[0x2029] = .bytes([0x0A])
        // Hyphens that are meant as the ASCII hyphen.
        for value: UInt32 in [0x2010, 0x2011, 0x2212, 0xFE63, 0xFF0D] { table[value] = .bytes([0x2D]) }
        table[0x2026] = .bytes(Array("...".utf8))
        // Invisible characters that split words without the reader seeing anything.
        for value: UInt32 in [0x00AD, 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0xFE0E, 0xFE0F, 0x180E] {
            table[value] = .drop
        }
        return table
    }()

    /// Scalars below this value are folded through ``packed``, without hashing or allocating.
    static let packedLimit: UInt32 = 0x3000

    /// The fold of every scalar below ``packedLimit``, packed in 64 bits: bits 0–31 hold up to
    /// four replacement bytes, bits 32–39 their count, bits 40–47 the kind (0 keep, 1 drop,
    /// 2 replace, 3 longer than four bytes: ask ``fold(_:)``). Letters with accents are a few
    /// percent of French text; this keeps each of them to one array read.
    static let packed: [UInt64] = (0..<packedLimit).map { value in
        guard value >= 0x80 else { return 0 }
        switch fold(value) {
        case .keep: return 0
        case .drop: return 1 << 40
        case .bytes(let bytes):
            guard bytes.count <= 4 else { return 3 << 40 }
            var word: UInt64 = 0
            for (offset, byte) in bytes.enumerated() { word |= UInt64(byte) << UInt64(8 * offset) }
            return (2 << 40) | (UInt64(bytes.count) << 32) | word
        }
    }

    /// The fold of a scalar outside the ASCII range.
    static func fold(_ value: UInt32) -> ScalarFold {
        if let known = table[value] { return known }
        if isCombiningMark(value) { return .drop }
        guard let scalar = Unicode.Scalar(value) else { return .keep }
        let properties = scalar.properties
        if properties.changesWhenCaseFolded || properties.changesWhenLowercased {
            return .bytes(Array(properties.lowercaseMapping.utf8))
        }
        return .keep
    }

    @inline(__always)
    static func isCombiningMark(_ value: UInt32) -> Bool {
        (0x0300...0x036F).contains(value) || (0x1AB0...0x1AFF).contains(value)
            || (0x1DC0...0x1DFF).contains(value) || (0x20D0...0x20FF).contains(value)
            || (0xFE20...0xFE2F).contains(value)
    }
}
