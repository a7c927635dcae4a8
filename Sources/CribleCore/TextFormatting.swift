#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Number and text formatting for reports written once per document.
///
/// Foundation's `String(format:)` and `replacingOccurrences(of:with:)` go through its string
/// bridging and cost more per verdict block than classifying the document's sentiment; the text
/// report of a large batch spent most of its time in them. These give the same output (the C
/// library's `printf` rounding) without that cost.
public enum TextFormatting {
    /// `value` with exactly `decimals` digits after the point, like `%.Nf` (`%+.Nf` with `sign`).
    public static func fixed(_ value: Double, decimals: Int, sign: Bool = false) -> String {
        let format = sign ? "%+.*f" : "%.*f"
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { buffer in
            let written = withVaList([Int32(decimals), value]) { arguments in
                vsnprintf(buffer.baseAddress!, buffer.count, format, arguments)
            }
            // Finite scores fit; anything longer (a huge or infinite value) falls back below.
            guard written > 0, Int(written) < buffer.count else { return String(describing: value) }
            return String(decoding: UnsafeRawBufferPointer(start: buffer.baseAddress!, count: Int(written)),
                          as: UTF8.self)
        }
    }

    /// The text with every line feed replaced by a space, for quoting a matched span on one line.
    public static func oneLine(_ text: String) -> String {
        guard text.utf8.contains(0x0A) else { return text }
        var utf8 = Array(text.utf8)
        for index in utf8.indices where utf8[index] == 0x0A { utf8[index] = 0x20 }
        return String(decoding: utf8, as: UTF8.self)
    }
}
