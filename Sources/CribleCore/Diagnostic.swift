/// A problem in a rule, policy or configuration file, pointing at the exact place.
///
/// Diagnostics are what `crible rules lint` prints and what a failing load reports. Codes are
/// stable (E001…, W001…) and documented in Rules/README.md.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable, Comparable {
        case warning, error
        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs == .warning && rhs == .error }
    }

    public var severity: Severity
    public var code: String
    public var message: String
    public var file: String
    public var line: Int
    public var column: Int
    /// Length of the offending span on its line, in characters, for the caret line.
    public var length: Int
    public var hint: String?

    public init(_ severity: Severity, _ code: String, _ message: String, file: String, line: Int,
                column: Int, length: Int = 1, hint: String? = nil) {
        self.severity = severity
        self.code = code
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.length = length
        self.hint = hint
    }

    /// `file:line:column: error[E003]: message`, the form editors and CI logs recognise.
    public var description: String {
        "\(file):\(line):\(column): \(severity.rawValue)[\(code)]: \(message)"
    }
}

/// A diagnostic can also be thrown where one problem stops a step (a file that is not YAML).
extension Diagnostic: Error {}
