import CPCRE2

/// A PCRE2 failure, turned into a typed value in this one place.
///
/// `offset` is the byte offset into the pattern for compile errors (where PCRE2 stopped
/// understanding it) and into the subject for match errors.
public struct PCRE2Error: Error, Sendable, Hashable, CustomStringConvertible {
    public let code: Int32
    public let message: String
    public let pattern: String
    public let offset: Int?

    public init(code: Int32, pattern: String, offset: Int?) {
        self.code = code
        self.pattern = pattern
        self.offset = offset
        self.message = PCRE2Error.message(for: code)
    }

    /// Match-time errors that mean "this pattern is too expensive on this text", as opposed to a
    /// broken pattern.
    public var isResourceLimit: Bool {
        code == PCRE2_ERROR_MATCHLIMIT || code == PCRE2_ERROR_DEPTHLIMIT
            || code == PCRE2_ERROR_HEAPLIMIT || code == PCRE2_ERROR_JIT_STACKLIMIT
    }

    public var description: String {
        if let offset { return "\(message) at offset \(offset) in /\(pattern)/" }
        return "\(message) in /\(pattern)/"
    }

    static func message(for code: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let length = buffer.withUnsafeMutableBufferPointer { pointer in
            pcre2_get_error_message_8(code, pointer.baseAddress, pointer.count)
        }
        guard length > 0 else { return "PCRE2 error \(code)" }
        return String(decoding: buffer[0..<Int(length)], as: UTF8.self)
    }
}
