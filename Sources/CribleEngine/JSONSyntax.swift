/// A walk of the JSON grammar (RFC 8259) over one JSONL line, for two jobs Foundation's parser
/// does not do well: saying where a refused line breaks and what was expected there (it says
/// only that the line failed, and a user fixing line 3 of a ten-thousand-line export needs the
/// column and the reason), and reading the string fields of an ordinary line without building a
/// dictionary of every value. Foundation still decides every line this walk finds unusual.
enum JSONSyntax {
    struct Problem: Error, Equatable, Sendable {
        /// Byte offset in the line.
        let offset: Int
        let message: String
    }

    /// Deeper than this, the line is refused rather than read with unbounded recursion.
    static let maximumDepth = 512

    /// The first problem of `bytes` read as one JSON value with nothing after it, or `nil` when
    /// there is none.
    static func firstProblem(in bytes: ArraySlice<UInt8>) -> Problem? {
        var reader = Reader(bytes: Array(bytes))
        do throws(Problem) {
            reader.skipSpace()
            try reader.value(depth: 0)
            reader.skipSpace()
            if !reader.atEnd { throw reader.problem("unexpected text after the JSON value") }
            // Well formed by the grammar, but a `\u` escape that is half of a surrogate pair
            // names no character, and Foundation refuses the line for it.
            if let half = reader.unpairedSurrogate {
                let escape = String(decoding: reader.bytes[half..<(half + 6)], as: UTF8.self)
                return Problem(offset: half, message: "`\(escape)` is half of a surrogate pair, without its other half")
            }
            return nil
        } catch {
            return error
        }
    }

    /// Every top-level key of a line holding one JSON object whose value is a string, with that
    /// string: what a document needs (id, text, title, language, string metadata), read in one
    /// pass without building a dictionary of every value. `nil` for anything else: a syntax error,
    /// a key given twice, an escape that is half a surrogate pair, or `requiredString` present
    /// with a value that is not a string. The caller then reads the line with Foundation, which
    /// decides those cases (it accepts a trailing comma, for one), gives numbers their form, and
    /// reports a line that is not UTF-8, which this reader refuses too: strings are checked as
    /// they are read, and no other byte beyond ASCII is valid JSON.
    static func stringFields(of bytes: ArraySlice<UInt8>, requiredString: String) -> [String: String]? {
        var reader = Reader(bytes: Array(bytes))
        var fields: [String: String] = [:]
        fields.reserveCapacity(4)
        // The keys met so far, strings or not, to refuse one given twice: a line has a few, and
        // comparing them in a list cost less than hashing each into a set.
        var keys: [String] = []
        do throws(Problem) {
            reader.skipSpace()
            guard !reader.atEnd, reader.bytes[reader.position] == UInt8(ascii: "{") else { return nil }
            if !reader.opensEmpty(closing: UInt8(ascii: "}")) {
                while true {
                    guard !reader.atEnd, reader.bytes[reader.position] == UInt8(ascii: "\"") else { return nil }
                    guard let key = try reader.decodedString(), !keys.contains(key) else { return nil }
                    keys.append(key)
                    reader.skipSpace()
                    guard !reader.atEnd, reader.bytes[reader.position] == UInt8(ascii: ":") else { return nil }
                    reader.position += 1
                    reader.skipSpace()
                    if !reader.atEnd, reader.bytes[reader.position] == UInt8(ascii: "\"") {
                        guard let value = try reader.decodedString() else { return nil }
                        fields[key] = value
                    } else {
                        if key == requiredString { return nil }
                        let start = reader.position
                        try reader.value(depth: 1)
                        // Whether a half pair inside makes the line invalid is Foundation's call;
                        // so is a value that is not UTF-8 (only strings can hold such bytes).
                        if reader.sawSurrogateEscape { return nil }
                        if String(validating: reader.bytes[start..<reader.position], as: UTF8.self) == nil { return nil }
                    }
                    if try reader.endsContainer(closing: UInt8(ascii: "}")) { break }
                }
            }
            reader.skipSpace()
            return reader.atEnd ? fields : nil
        } catch {
            return nil
        }
    }

    /// The column of byte `offset` of a valid UTF-8 line, counted in characters from 1.
    static func column(ofByte offset: Int, in bytes: ArraySlice<UInt8>) -> Int {
        1 + bytes.prefix(offset).reduce(0) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) }
    }

    fileprivate struct Reader {
        let bytes: [UInt8]
        var position = 0
        /// Whether a string so far held a `\u` escape of a surrogate (half of a pair).
        var sawSurrogateEscape = false
        /// Offset of the first `\u` escape of a surrogate that is not one half of a pair: a high
        /// half not followed at once by a low one, or a low half not preceded by a high one.
        var unpairedSurrogate: Int?
        /// Whether the last string walked held any escape (else its bytes are its text).
        var lastStringHadEscape = false

        var atEnd: Bool { position >= bytes.count }

        func problem(_ message: String) -> Problem { Problem(offset: position, message: message) }

        /// The problem of reaching the end of the line, or of meeting an unexpected byte.
        func unexpected(_ expectation: String) -> Problem {
            atEnd ? problem("the line ends where \(expectation) should be") : problem("expected \(expectation)")
        }

        mutating func skipSpace() {
            while position < bytes.count {
                switch bytes[position] {
                case 0x20, 0x09, 0x0A, 0x0D: position += 1
                default: return
                }
            }
        }

        mutating func value(depth: Int) throws(Problem) {
            guard depth < JSONSyntax.maximumDepth else {
                throw problem("nested more than \(JSONSyntax.maximumDepth) levels deep")
            }
            guard !atEnd else { throw unexpected("a value") }
            switch bytes[position] {
            case UInt8(ascii: "{"): try object(depth: depth)
            case UInt8(ascii: "["): try array(depth: depth)
            case UInt8(ascii: "\""): try string()
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
            case UInt8(ascii: "a")...UInt8(ascii: "z"): try word()
            case UInt8(ascii: "'"): throw problem("strings take double quotes, not single ones")
            default: throw unexpected("a value (an object, array, string, number, true, false or null)")
            }
        }

        mutating func object(depth: Int) throws(Problem) {
            if opensEmpty(closing: UInt8(ascii: "}")) { return }
            while true {
                guard !atEnd, bytes[position] == UInt8(ascii: "\"") else {
                    if !atEnd, bytes[position] == UInt8(ascii: "}") { throw problem("a comma before `}` leaves no key after it") }
                    if !atEnd, bytes[position] == UInt8(ascii: "'") { throw problem("keys take double quotes, not single ones") }
                    throw unexpected("a key in double quotes")
                }
                try string()
                skipSpace()
                guard !atEnd, bytes[position] == UInt8(ascii: ":") else { throw unexpected("`:` after the key") }
                position += 1
                skipSpace()
                try value(depth: depth + 1)
                if try endsContainer(closing: UInt8(ascii: "}")) { return }
            }
        }

        mutating func array(depth: Int) throws(Problem) {
            if opensEmpty(closing: UInt8(ascii: "]")) { return }
            while true {
                if !atEnd, bytes[position] == UInt8(ascii: "]") { throw problem("a comma before `]` leaves no value after it") }
                try value(depth: depth + 1)
                if try endsContainer(closing: UInt8(ascii: "]")) { return }
            }
        }

        /// At a container's opening byte: steps in, and steps out again when it is empty (`{}`,
        /// `[]`), saying so.
        mutating func opensEmpty(closing: UInt8) -> Bool {
            position += 1
            skipSpace()
            guard !atEnd, bytes[position] == closing else { return false }
            position += 1
            return true
        }

        /// After a member or element: a `,` (another follows) or the closing byte (the container
        /// ends: `true`); anything else is the problem here.
        mutating func endsContainer(closing: UInt8) throws(Problem) -> Bool {
            skipSpace()
            let closer = "`\(Character(Unicode.Scalar(closing)))`"
            guard !atEnd else { throw unexpected("`,` or \(closer)") }
            switch bytes[position] {
            case UInt8(ascii: ","):
                position += 1
                skipSpace()
                return false
            case closing:
                position += 1
                return true
            default:
                throw problem("expected `,` or \(closer) after the value")
            }
        }

        mutating func string() throws(Problem) {
            let opening = position
            position += 1
            lastStringHadEscape = false
            while !atEnd {
                // Ordinary bytes skipped sixteen at a time, up to a quote, a backslash or a control
                // character; the switch below is for those few.
                position = bytes.withUnsafeBufferPointer {
                    $0.firstIndex(inASCII: 0x00...0x1F, 0x00...0x1F, orAnyOf: (0x22, 0x5C, 0x22), from: position)
                }
                guard !atEnd else { break }
                let byte = bytes[position]
                switch byte {
                case UInt8(ascii: "\""):
                    position += 1
                    return
                case UInt8(ascii: "\\"):
                    lastStringHadEscape = true
                    position += 1
                    guard !atEnd else { break }
                    switch bytes[position] {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                         UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                        position += 1
                    case UInt8(ascii: "u"):
                        let digits = bytes[(position + 1)..<min(position + 5, bytes.count)]
                        guard digits.count == 4, digits.allSatisfy(\.isHexDigit) else {
                            position -= 1
                            throw problem("`\\u` needs four hexadecimal digits")
                        }
                        let escape = position - 1
                        position += 5
                        if let half = surrogateHalf(escapeAt: escape) {
                            sawSurrogateEscape = true
                            if half == .high, surrogateHalf(escapeAt: position) == .low {
                                position += 6
                            } else if unpairedSurrogate == nil {
                                unpairedSurrogate = escape
                            }
                        }
                    default:
                        position -= 1
                        throw problem("unknown escape `\\\(String(decoding: [bytes[position + 1]], as: UTF8.self))` in a string")
                    }
                case 0x00..<0x20:
                    throw problem("a control character (U+\(String(byte, radix: 16, uppercase: true).leftPadded(to: 4))) must be escaped in a string")
                default:
                    position += 1
                }
            }
            position = opening
            throw problem("the string that starts here is not closed")
        }

        enum SurrogateHalf { case high, low }

        /// Which half of a surrogate pair the `\uXXXX` escape at `offset` is, if it is one (the
        /// digits of an escape the walk has not checked yet may be anything).
        func surrogateHalf(escapeAt offset: Int) -> SurrogateHalf? {
            guard offset + 6 <= bytes.count, bytes[offset] == UInt8(ascii: "\\"), bytes[offset + 1] == UInt8(ascii: "u"),
                  bytes[offset + 2] | 0x20 == UInt8(ascii: "d"), bytes[(offset + 3)..<(offset + 6)].allSatisfy(\.isHexDigit) else { return nil }
            switch bytes[offset + 3] | 0x20 {
            case UInt8(ascii: "8")...UInt8(ascii: "b"): return .high
            case UInt8(ascii: "c")...UInt8(ascii: "f"): return .low
            default: return nil
            }
        }

        /// The string at the current position (its opening quote), unescaped; `nil` when an
        /// escape is half a surrogate pair or the bytes are not UTF-8.
        mutating func decodedString() throws(Problem) -> String? {
            let opening = position
            try string()
            let content = bytes[(opening + 1)..<(position - 1)]
            guard lastStringHadEscape else { return String(validating: content, as: UTF8.self) }
            var decoded: [UInt8] = []
            decoded.reserveCapacity(content.count)
            var index = content.startIndex
            // The string walk checked the four digits already.
            func hex(at start: Int) -> UInt32 {
                var value: UInt32 = 0
                for offset in 0..<4 {
                    let byte = bytes[start + offset]
                    value = value << 4 | UInt32(byte.isDigit ? byte &- 48 : (byte | 0x20) &- 87)
                }
                return value
            }
            while index < content.endIndex {
                // Runs without escapes are copied whole.
                let escape = content[index...].firstIndex(of: UInt8(ascii: "\\")) ?? content.endIndex
                decoded.append(contentsOf: content[index..<escape])
                index = escape
                guard index < content.endIndex else { break }
                let escaped = content[index + 1]
                switch escaped {
                case UInt8(ascii: "b"): decoded.append(0x08)
                case UInt8(ascii: "f"): decoded.append(0x0C)
                case UInt8(ascii: "n"): decoded.append(0x0A)
                case UInt8(ascii: "r"): decoded.append(0x0D)
                case UInt8(ascii: "t"): decoded.append(0x09)
                case UInt8(ascii: "u"):
                    var value = hex(at: index + 2)
                    index += 6
                    if (0xD800..<0xDC00).contains(value) {
                        guard index + 5 < content.endIndex, content[index] == UInt8(ascii: "\\"),
                              content[index + 1] == UInt8(ascii: "u") else { return nil }
                        let low = hex(at: index + 2)
                        guard (0xDC00..<0xE000).contains(low) else { return nil }
                        value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
                        index += 6
                    } else if (0xDC00..<0xE000).contains(value) {
                        return nil
                    }
                    // UTF-8 of the scalar, written out: a surrogate half never gets here.
                    if value < 0x80 {
                        decoded.append(UInt8(value))
                    } else if value < 0x800 {
                        decoded.append(UInt8(0xC0 | value >> 6))
                        decoded.append(UInt8(0x80 | value & 0x3F))
                    } else if value < 0x10000 {
                        decoded.append(UInt8(0xE0 | value >> 12))
                        decoded.append(UInt8(0x80 | value >> 6 & 0x3F))
                        decoded.append(UInt8(0x80 | value & 0x3F))
                    } else {
                        decoded.append(UInt8(0xF0 | value >> 18))
                        decoded.append(UInt8(0x80 | value >> 12 & 0x3F))
                        decoded.append(UInt8(0x80 | value >> 6 & 0x3F))
                        decoded.append(UInt8(0x80 | value & 0x3F))
                    }
                    continue
                default: decoded.append(escaped)  // `"`, `\\`, `/`: the string walk allowed no other
                }
                index += 2
            }
            return String(validating: decoded, as: UTF8.self)
        }

        mutating func number() throws(Problem) {
            let start = position
            if bytes[position] == UInt8(ascii: "-") { position += 1 }
            guard !atEnd, bytes[position].isDigit else {
                throw problem("a number needs a digit here")
            }
            if bytes[position] == UInt8(ascii: "0"), position + 1 < bytes.count, bytes[position + 1].isDigit {
                position = start
                throw problem("a number cannot start with 0 followed by digits")
            }
            while !atEnd, bytes[position].isDigit { position += 1 }
            if !atEnd, bytes[position] == UInt8(ascii: ".") {
                position += 1
                guard !atEnd, bytes[position].isDigit else { throw problem("a number needs digits after `.`") }
                while !atEnd, bytes[position].isDigit { position += 1 }
            }
            if !atEnd, bytes[position] | 0x20 == UInt8(ascii: "e") {
                position += 1
                if !atEnd, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") { position += 1 }
                guard !atEnd, bytes[position].isDigit else { throw problem("an exponent needs digits") }
                while !atEnd, bytes[position].isDigit { position += 1 }
            }
        }

        mutating func word() throws(Problem) {
            var end = position
            while end < bytes.count, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(bytes[end]) { end += 1 }
            let word = String(decoding: bytes[position..<end], as: UTF8.self)
            guard ["true", "false", "null"].contains(word) else {
                throw problem("`\(word)` is not a JSON value (strings take double quotes; the words are true, false and null)")
            }
            position = end
        }
    }
}

private extension UInt8 {
    var isDigit: Bool { self &- 48 < 10 }
    var isHexDigit: Bool { isDigit || (self | 0x20) &- 97 < 6 }
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
