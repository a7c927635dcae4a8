import CribleCore
import Foundation

/// A JSON value whose objects keep their keys in the order they were written, so reports read
/// the same way every time (id first, evidence last) and diff cleanly.
///
/// Not `indirect`: arrays and objects already hold their children out of line, and an indirect
/// enum boxes every value, strings and numbers included, which made building and freeing the
/// tree of each verdict most of the cost of writing JSON lines.
public enum JSONValue: Sendable, Equatable {
    case string(String)
    case number(Double)
    case integer(Int)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool { lhs.serialized() == rhs.serialized() }

    public func serialized(pretty: Bool = false, indent: Int = 0) -> String {
        var output = JSONOutput()
        write(to: &output, pretty: pretty, indent: indent)
        return output.string
    }

    /// Writes UTF-8 bytes directly: reports of big batches are mostly strings, and appending to a
    /// byte buffer is many times faster than building a `String` scalar by scalar.
    func write(to output: inout JSONOutput, pretty: Bool, indent: Int) {
        func newline(_ level: Int) {
            output.append(0x0A)
            for _ in 0..<(level * 2) { output.append(0x20) }
        }
        switch self {
        case .string(let value): JSONValue.writeString(value, to: &output)
        case .number(let value):
            if value.isNaN || value.isInfinite {
                output.append("null")
            } else if value == value.rounded(), abs(value) < 1e15 {
                output.appendDecimal(Int(value))
            } else if !JSONValue.writeTenThousandths(value, to: &output) {
                var text = String(value)
                text.withUTF8 { output.append($0) }
            }
        case .integer(let value): output.appendDecimal(value)
        case .bool(let value): output.append(value ? "true" : "false")
        case .null: output.append("null")
        case .array(let values):
            if values.isEmpty { output.append(0x5B, 0x5D); return }
            output.append(0x5B)
            for (index, value) in values.enumerated() {
                if index > 0 { output.append(0x2C) }
                if pretty { newline(indent + 1) }
                value.write(to: &output, pretty: pretty, indent: indent + 1)
            }
            if pretty { newline(indent) }
            output.append(0x5D)
        case .object(let pairs):
            if pairs.isEmpty { output.append(0x7B, 0x7D); return }
            output.append(0x7B)
            for (index, (key, value)) in pairs.enumerated() {
                if index > 0 { output.append(0x2C) }
                if pretty { newline(indent + 1) }
                JSONValue.writeString(key, to: &output)
                output.append(0x3A)
                if pretty { output.append(0x20) }
                value.write(to: &output, pretty: pretty, indent: indent + 1)
            }
            if pretty { newline(indent) }
            output.append(0x7D)
        }
    }

    static func writeString(_ value: String, to output: inout JSONOutput) {
        var value = value
        value.withUTF8 { writeString(utf8: $0, to: &output) }
    }

    /// A JSON string from UTF-8 bytes: runs of bytes that need no escape are found eight bytes at
    /// a time and copied whole.
    static func writeString(utf8 bytes: UnsafeBufferPointer<UInt8>, to output: inout JSONOutput) {
        output.reserve(bytes.count + 2)
        output.append(0x22)
        var runStart = 0
        while true {
            let index = bytes.firstIndex(inASCII: 0x00...0x1F, 0x00...0x1F, orAnyOf: (0x22, 0x5C, 0x22), from: runStart)
            output.append(UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
            guard index < bytes.count else { break }
            let byte = bytes[index]
            runStart = index + 1
            switch byte {
            case 0x22, 0x5C: output.append(0x5C, byte)
            case 0x0A: output.append(0x5C, 0x6E)
            case 0x0D: output.append(0x5C, 0x72)
            case 0x09: output.append(0x5C, 0x74)
            default:
                output.append("\\u00")
                output.append(hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0x0F)])
            }
        }
        output.append(0x22)
    }

    /// Writes a fractional `value` that is a whole number of ten-thousandths below a billion in
    /// magnitude, as `description` writes it, without making a string; returns `false` for any
    /// other value. Every score is rounded so (``score(_:)``), and a verdict has hundreds.
    ///
    /// The digits are those of `description`, the shortest that read back as `value`: the decimal
    /// n/10⁴ reads back as `value` (which is n/10⁴ correctly rounded), and any shorter decimal
    /// differs from it by 10⁻⁴ or more, far beyond half a unit in the last place below 10⁹.
    static func writeTenThousandths(_ value: Double, to output: inout JSONOutput) -> Bool {
        guard abs(value) < 1e9 else { return false }
        let scaled = (value * 10_000).rounded()
        guard scaled / 10_000 == value else { return false }
        var units = Int(scaled)
        guard units % 10_000 != 0 else { return false }
        if units < 0 {
            output.append(0x2D)
            units = -units
        }
        output.appendDecimal(units / 10_000)
        // Four digits by constant divisions (multiplications once compiled), trailing zeros dropped.
        let fraction = units % 10_000
        let digits: (UInt8, UInt8, UInt8, UInt8, UInt8) = (
            0x2E, UInt8(truncatingIfNeeded: 0x30 + fraction / 1_000), UInt8(truncatingIfNeeded: 0x30 + fraction / 100 % 10),
            UInt8(truncatingIfNeeded: 0x30 + fraction / 10 % 10), UInt8(truncatingIfNeeded: 0x30 + fraction % 10))
        let length = fraction % 10 != 0 ? 5 : fraction % 100 != 0 ? 4 : fraction % 1_000 != 0 ? 3 : 2
        withUnsafeBytes(of: digits) { output.append(UnsafeRawBufferPointer(rebasing: $0.prefix(length))) }
        return true
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Rounds scores for output: four decimals are more than any threshold needs.
    public static func score(_ value: Double) -> JSONValue { .number((value * 10_000).rounded() / 10_000) }
}
