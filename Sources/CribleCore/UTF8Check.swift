/// Where a file stops being UTF-8, for an error a person can act on: "not valid UTF-8" alone
/// sends them looking through the whole file, when the usual cause is one encoding for another
/// (a page saved in Latin-1, a spreadsheet exported in Windows-1252).
public struct UTF8Problem: Sendable, Equatable, CustomStringConvertible {
    /// Byte offset of the first byte that does not belong to a valid UTF-8 sequence.
    public var offset: Int
    /// Its line and column, from 1; the column counts the characters before it on its line.
    public var line: Int
    public var column: Int
    public var byte: UInt8
    /// Whether the bytes read as UTF-8 hold no character beyond ASCII at all, only bytes from
    /// 0x80 that stand alone: what a file in Latin-1 or Windows-1252 looks like.
    public var looksLikeLatin1: Bool

    /// The first problem of `bytes`, or `nil` when they are valid UTF-8.
    public static func first<Bytes: Collection>(in bytes: Bytes) -> UTF8Problem? where Bytes.Element == UInt8 {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0, line = 1, column = 1
        var problem: UTF8Problem?
        var sawMultibyte = false
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let scalar):
                if problem == nil {
                    if scalar.count == 1, scalar.first == 0x0A {
                        (line, column) = (line + 1, 1)
                    } else {
                        column += 1
                    }
                }
                if scalar.count > 1 { sawMultibyte = true }
                offset += scalar.count
            case .error(let length):
                if problem == nil {
                    let byte = bytes[bytes.index(bytes.startIndex, offsetBy: offset)]
                    problem = UTF8Problem(offset: offset, line: line, column: column, byte: byte, looksLikeLatin1: true)
                }
                // A lone byte from 0x80 is what Latin-1 gives; a longer broken sequence is not.
                if length > 1 { problem?.looksLikeLatin1 = false }
                offset += length
            case .emptyInput:
                if sawMultibyte { problem?.looksLikeLatin1 = false }
                return problem
            }
        }
    }

    /// "byte 0xE9 at line 3, column 12", and what to do when the file looks like Latin-1.
    public var description: String { describing(place: "line \(line), column \(column)") }

    /// The same for bytes that are one line of a larger input: "byte 0xE9 at column 12".
    public var descriptionWithinLine: String { describing(place: "column \(column)") }

    private func describing(place: String) -> String {
        let found = "byte 0x\(String(byte, radix: 16, uppercase: true)) at \(place)"
        guard looksLikeLatin1 else { return found }
        return found + "; the text looks like Latin-1 or Windows-1252: convert it with `iconv -f WINDOWS-1252 -t UTF-8`"
    }
}
