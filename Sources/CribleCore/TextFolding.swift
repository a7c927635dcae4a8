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
enum ScalarFold: Equatable {
    /// The scalar disappears (combining accents, zero-width characters, soft hyphens, variation
    /// selectors).
    case drop
    /// The scalar is replaced by these UTF-8 bytes.
    case bytes([UInt8])
    /// The scalar is kept as it is.
    case keep
}

/// The folding of non-ASCII scalars, as classifying uses it: below ``packedLimit`` from the table
/// shipped in ``FoldingData`` (generated from ``FoldingDefinition``), above it from the few
/// typographic overrides and Unicode's lower-case mappings.
///
/// Shipped rather than built: building the table in every process, from Foundation's folding of
/// some thousand Latin, Greek and Cyrillic letters and Unicode properties of twelve thousand
/// scalars, took about 25 M instructions the first time a text view was made (with the
/// tokenizer's character classes, 35 M, 7 to 10 ms of rule loading); and the fold no longer
/// depends on the Foundation of the platform it runs on.
enum FoldingTable {
    /// Scalars below this value are folded through ``packed``, without hashing or allocating.
    static let packedLimit: UInt32 = 0x3000

    /// The fold of every scalar below ``packedLimit``, packed in 64 bits: bits 0–31 hold up to
    /// four replacement bytes, bits 32–39 their count, bits 40–47 the kind (0 keep, 1 drop,
    /// 2 replace, 3 longer than four bytes: see ``longReplacements``). Letters with accents are
    /// a few percent of French text; this keeps each of them to one array read.
    static let packed: [UInt64] = {
        var table = [UInt64](repeating: 0, count: Int(packedLimit))
        FoldingData.forEachHexRecord(FoldingData.packedEntries, digits: 16) { record in
            table[Int(record >> 48)] = record & 0xFFFF_FFFF_FFFF
        }
        return table
    }()

    /// The replacements of more than four bytes below ``packedLimit``, by scalar.
    static let longReplacements: [UInt32: [UInt8]] = FoldingData.longReplacements()

    /// The fold of a scalar outside the ASCII range.
    static func fold(_ value: UInt32) -> ScalarFold {
        if value < packedLimit { return unpacked(value) }
        if let known = FoldingDefinition.overrides[value] { return known }
        return FoldingDefinition.unicodeFold(value)
    }

    /// A scalar's fold as ``packed`` holds it.
    static func unpacked(_ value: UInt32) -> ScalarFold {
        let entry = packed[Int(value)]
        switch entry >> 40 {
        case 0: return .keep
        case 1: return .drop
        case 2: return .bytes((0..<Int((entry >> 32) & 0xFF)).map { UInt8(truncatingIfNeeded: entry >> UInt64(8 * $0)) })
        default: return .bytes(longReplacements[value] ?? [])
        }
    }
}

/// How non-ASCII scalars fold, by definition: what ``FoldingData`` is generated from
/// (`scripts/generate-folding-data.sh`), and what `FoldingDataTests` checks it against. Only the
/// overrides and the Unicode part run when classifying, for scalars beyond the shipped table.
///
/// Latin, Greek and Cyrillic blocks follow Foundation's case- and diacritic-insensitive folding
/// (which covers the long tail of Latin letters with accents, hooks and strokes); a handful of
/// typographic characters are overridden so that French typography folds to what people type on
/// a keyboard.
enum FoldingDefinition {
    static let precomputedRanges: [ClosedRange<UInt32>] = [
        0x80...0x24F, 0x370...0x3FF, 0x400...0x4FF, 0x1E00...0x1EFF,
    ]

    /// Characters folded by hand: ligatures and letters that diacritic folding leaves alone, and
    /// the typography of apostrophes, quotes, spaces, hyphens and invisible characters.
    static let overrides: [UInt32: ScalarFold] = {
        var table: [UInt32: ScalarFold] = [:]
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

    /// The fold of a scalar outside the ASCII range, by definition.
    static func fold(_ value: UInt32) -> ScalarFold {
        if let known = overrides[value] { return known }
        if precomputedRanges.contains(where: { $0.contains(value) }), let scalar = Unicode.Scalar(value) {
            let folded = String(Character(scalar))
                .folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
                .precomposedStringWithCompatibilityMapping
            let bytes = Array(folded.utf8)
            if folded.unicodeScalars.count == 1, folded.unicodeScalars.first == scalar { return .keep }
            return bytes.isEmpty ? .drop : .bytes(bytes)
        }
        return unicodeFold(value)
    }

    /// Combining marks dropped, other scalars lower-cased when Unicode says they change.
    static func unicodeFold(_ value: UInt32) -> ScalarFold {
        if isCombiningMark(value) { return .drop }
        guard let scalar = Unicode.Scalar(value) else { return .keep }
        let properties = scalar.properties
        if properties.changesWhenCaseFolded || properties.changesWhenLowercased {
            return .bytes(Array(properties.lowercaseMapping.utf8))
        }
        return .keep
    }

    /// A fold packed as ``FoldingTable/packed`` holds it.
    static func packed(_ fold: ScalarFold) -> UInt64 {
        switch fold {
        case .keep: return 0
        case .drop: return 1 << 40
        case .bytes(let bytes):
            guard bytes.count <= 4 else { return 3 << 40 }
            var word: UInt64 = 0
            for (offset, byte) in bytes.enumerated() { word |= UInt64(byte) << UInt64(8 * offset) }
            return (2 << 40) | (UInt64(bytes.count) << 32) | word
        }
    }

    @inline(__always)
    static func isCombiningMark(_ value: UInt32) -> Bool {
        (0x0300...0x036F).contains(value) || (0x1AB0...0x1AFF).contains(value)
            || (0x1DC0...0x1DFF).contains(value) || (0x20D0...0x20FF).contains(value)
            || (0xFE20...0xFE2F).contains(value)
    }

    /// The source of ``FoldingData``: the packed folds and long replacements of every scalar
    /// from U+0080 below ``FoldingTable/packedLimit``, and the tokenizer's character classes below
    /// its table's limit, as the file `FoldingData.swift`.
    static func generatedSource() -> String {
        func hex(_ value: UInt64, _ digits: Int) -> String {
            let text = String(value, radix: 16, uppercase: true)
            return String(repeating: "0", count: max(0, digits - text.count)) + text
        }
        var entries: [String] = []
        var long: [String] = []
        for value in UInt32(0x80)..<FoldingTable.packedLimit {
            let fold = fold(value)
            let packed = packed(fold)
            guard packed != 0 else { continue }
            entries.append(hex(UInt64(value) << 48 | packed, 16))
            if packed >> 40 == 3, case .bytes(let bytes) = fold {
                long.append(hex(UInt64(value), 4) + hex(UInt64(bytes.count), 2) + bytes.map { hex(UInt64($0), 2) }.joined())
            }
        }
        var runs: [String] = []
        var previous: Tokenizer.CharacterClass?
        for value in UInt32(0)..<Tokenizer.classTableLimit {
            let current = Tokenizer.characterClass(of: value)
            guard current != previous else { continue }
            let code: UInt64 = switch current {
            case .word: 1
            case .symbolToken: 2
            case .separator: 0
            }
            runs.append(hex(UInt64(value) << 4 | code, 5))
            previous = current
        }
        func lines(_ records: [String], perLine: Int) -> String {
            stride(from: 0, to: records.count, by: perLine)
                .map { "    " + records[$0..<min($0 + perLine, records.count)].joined() }.joined(separator: "\n")
        }
        return """
        // Generated by scripts/generate-folding-data.sh from FoldingDefinition (TextFolding.swift)
        // and Tokenizer.characterClass(of:). Do not edit: FoldingDataTests checks it against them.

        /// The folding table and character classes below U+3000, as hexadecimal records (line breaks
        /// are ignored): see ``FoldingTable`` for why they are shipped rather than built.
        enum FoldingData {
            /// Each scalar whose fold is not to keep it: four digits of scalar, then its packed fold
            /// (twelve digits: kind, byte count, bytes).
            static let packedEntries: StaticString = \"\"\"
        \(lines(entries, perLine: 6))
            \"\"\"

            /// Replacements of more than four bytes: scalar (four digits), length (two), bytes.
            static let longEntries: StaticString = \"\"\"
        \(lines(long, perLine: 1))
            \"\"\"

            /// Where each run of one character class starts: scalar (four digits), then the class
            /// (0 separator, 1 word, 2 symbol token).
            static let classRuns: StaticString = \"\"\"
        \(lines(runs, perLine: 14))
            \"\"\"
        }

        """
    }
}

extension FoldingData {
    /// Calls `body` with each record of `digits` hexadecimal digits of `text`, skipping line breaks.
    static func forEachHexRecord(_ text: StaticString, digits: Int, _ body: (UInt64) -> Void) {
        text.withUTF8Buffer { bytes in
            var record: UInt64 = 0
            var count = 0
            for byte in bytes {
                let digit: UInt64
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt64(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt64(byte - UInt8(ascii: "A") + 10)
                default: continue
                }
                record = record << 4 | digit
                count += 1
                if count == digits {
                    body(record)
                    record = 0
                    count = 0
                }
            }
        }
    }

    /// ``longEntries`` read into a table: as bytes, two hexadecimal digits each, the scalar in
    /// two, then the length, then the replacement.
    static func longReplacements() -> [UInt32: [UInt8]] {
        var stream: [UInt8] = []
        forEachHexRecord(longEntries, digits: 2) { stream.append(UInt8(truncatingIfNeeded: $0)) }
        var table: [UInt32: [UInt8]] = [:]
        var index = 0
        while index + 3 <= stream.count {
            let length = Int(stream[index + 2])
            guard index + 3 + length <= stream.count else { break }
            table[UInt32(stream[index]) << 8 | UInt32(stream[index + 1])] = Array(stream[(index + 3)..<(index + 3 + length)])
            index += 3 + length
        }
        return table
    }

    /// ``classRuns`` read into the tokenizer's table of character classes.
    static func characterClasses(count: Int) -> [Tokenizer.CharacterClass] {
        var starts: [(start: Int, code: UInt64)] = []
        forEachHexRecord(classRuns, digits: 5) { record in starts.append((Int(record >> 4), record & 0xF)) }
        var table = [Tokenizer.CharacterClass](repeating: .separator, count: count)
        for (index, run) in starts.enumerated() {
            let end = index + 1 < starts.count ? starts[index + 1].start : count
            let kind: Tokenizer.CharacterClass = run.code == 1 ? .word : run.code == 2 ? .symbolToken : .separator
            for value in run.start..<min(end, count) { table[value] = kind }
        }
        return table
    }
}
