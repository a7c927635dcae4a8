import CribleCore
import Foundation

/// `file:line:column: error[E002]: message`, then the offending line with a caret under the span
/// and the hint, like compilers print.
enum DiagnosticFormatter {
    static func format(_ diagnostic: Diagnostic) -> String {
        var text = diagnostic.description
        if let data = FileManager.default.contents(atPath: diagnostic.file) {
            var line = LineIndex([UInt8](data)).line(diagnostic.line)
            // Long lines (a big regex) are cut so the caret line stays readable.
            if line.count > 120 { line = String(line.prefix(119)) + "…" }
            if !line.isEmpty {
                let gutter = String(diagnostic.line)
                text += "\n \(gutter) | \(line)"
                text += "\n \(String(repeating: " ", count: gutter.count)) | \(String(repeating: " ", count: max(0, diagnostic.column - 1)))\(String(repeating: "^", count: max(1, min(diagnostic.length, max(1, line.count - diagnostic.column + 1)))))"
            }
        }
        if let hint = diagnostic.hint { text += "\n   = hint: \(hint)" }
        return text
    }
}
