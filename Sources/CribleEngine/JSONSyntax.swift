/// Where a line that is not valid JSON goes wrong, and what was expected there.
///
/// Foundation's parser decides whether a JSONL line is valid; when it is not, it says no more than
/// that, and a user fixing line 3 of a ten-thousand-line export needs the column and the reason.
/// This reader walks the JSON grammar (RFC 8259) only to find the first place it breaks.
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
            return nil
        } catch {
            return error
        }
    }

    /// The column of byte `offset` of a valid UTF-8 line, counted in characters from 1.
    static func column(ofByte offset: Int, in bytes: ArraySlice<UInt8>) -> Int {
        1 + bytes.prefix(offset).reduce(0) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) }
    }

    private struct Reader {
        let bytes: [UInt8]
        var position = 0

        var atEnd: Bool { position >= bytes.count }

        func problem(_ message: String) -> Problem { Problem(offset: position, message: message) }

        /// The problem of reaching the end of the line, or of meeting an unexpected byte.
        func unexpected(_ expectation: String) -> Problem {
            atEnd ? problem("the line ends where \(expectation) should be") : problem("expected \(expectation)")
        }

        mutating func skipSpace() {
            while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
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
            position += 1
            skipSpace()
            if !atEnd, bytes[position] == UInt8(ascii: "}") {
                position += 1
                return
            }
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
                skipSpace()
                guard !atEnd else { throw unexpected("`,` or `}`") }
                switch bytes[position] {
                case UInt8(ascii: ","):
                    position += 1
                    skipSpace()
                case UInt8(ascii: "}"):
                    position += 1
                    return
                default:
                    throw problem("expected `,` or `}` after the value")
                }
            }
        }

        mutating func array(depth: Int) throws(Problem) {
            position += 1
            skipSpace()
            if !atEnd, bytes[position] == UInt8(ascii: "]") {
                position += 1
                return
            }
            while true {
                if !atEnd, bytes[position] == UInt8(ascii: "]") { throw problem("a comma before `]` leaves no value after it") }
                try value(depth: depth + 1)
                skipSpace()
                guard !atEnd else { throw unexpected("`,` or `]`") }
                switch bytes[position] {
                case UInt8(ascii: ","):
                    position += 1
                    skipSpace()
                case UInt8(ascii: "]"):
                    position += 1
                    return
                default:
                    throw problem("expected `,` or `]` after the value")
                }
            }
        }

        mutating func string() throws(Problem) {
            let opening = position
            position += 1
            while !atEnd {
                let byte = bytes[position]
                switch byte {
                case UInt8(ascii: "\""):
                    position += 1
                    return
                case UInt8(ascii: "\\"):
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
                        position += 5
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
