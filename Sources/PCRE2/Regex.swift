import CPCRE2
import Foundation

/// A compiled PCRE2 pattern.
///
/// The compiled code is owned by exactly one instance and freed in `deinit`; it is immutable after
/// compilation, which PCRE2 documents as safe to share between threads (the Unicode variant gets
/// its JIT code once, under a lock, before its first use). What is *not* safe to
/// share — the match data and the JIT stack — lives in ``MatchScratch``, which each task owns.
public final class Regex: @unchecked Sendable {
    public struct Options: OptionSet, Sendable, Hashable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }

        public static let caseless = Options(rawValue: UInt32(PCRE2_CASELESS))
        public static let multiline = Options(rawValue: UInt32(PCRE2_MULTILINE))
        public static let dotAll = Options(rawValue: UInt32(PCRE2_DOTALL))
        public static let extended = Options(rawValue: UInt32(PCRE2_EXTENDED))
    }

    /// Limits applied to every match, so a pathological pattern fails one rule instead of
    /// hanging a batch.
    public struct Limits: Sendable, Hashable {
        public var matchLimit: UInt32
        public var depthLimit: UInt32
        public init(matchLimit: UInt32 = 1_000_000, depthLimit: UInt32 = 10_000) {
            self.matchLimit = matchLimit
            self.depthLimit = depthLimit
        }
        public static let standard = Limits()
        /// For a pattern whose shape can backtrack exponentially (`(\w+\s?)+`): on a text where
        /// it fails, such a pattern spends its whole match limit, about 6 ms at the standard
        /// limit, on every document it runs on. A hundredth of that bounds the damage while a
        /// well-behaved match of a news article or comment stays far below it.
        public static let risky = Limits(matchLimit: 10_000, depthLimit: 1_000)
    }

    public let pattern: String
    public let options: Options
    public let limits: Limits
    /// Number of capturing groups, used to size shared match data.
    public let captureCount: Int
    /// Whether this build of PCRE2 JIT-compiles patterns (it cannot on some platforms; matching
    /// then falls back to the interpreter, which is slower but gives the same results). Each
    /// variant of a pattern is JIT-compiled when it is first used.
    public let isJITCompiled: Bool

    let code: OpaquePointer
    /// The same pattern compiled without `PCRE2_UCP`, for subjects on which the two cannot differ
    /// (see ``Regex/isUnicodeNeutral(_:)``). With UCP, PCRE2 cannot skip ahead to the possible
    /// first characters of `\d` or `\w` (any of thousands), so a pattern such as `\b\d{5}\b`
    /// tries every position; without it, the same pattern runs 10 to 20 times faster. `nil` for
    /// patterns with POSIX classes (`[[:punct:]]` matches some non-ASCII symbols only with UCP).
    let asciiCode: OpaquePointer?
    private let matchContext: OpaquePointer
    /// Whether `code` (`[0]`) and `asciiCode` (`[1]`) have been JIT-compiled. JIT compilation is
    /// more than half the cost of compiling a pattern, and many patterns never run in a given
    /// process (those of another language, or whose words a batch never holds); `code` runs
    /// only on texts with letters, digits or spaces beyond ASCII after folding (or, for
    /// case-sensitive rules, with accents). So each is JIT-compiled when first needed, under
    /// `jitLock`, and read through these flags, which cost no lock once set.
    private let jitReady: UnsafeMutablePointer<Int32>
    private let jitLock = NSLock()

    /// The pattern as compiled, and its flags with and without UCP: kept to compile the anchored
    /// variants (see ``matches(in:startingAt:scratch:validUTF8:limit:unicodeNeutral:)``) when first needed.
    private let compiledSource: [UInt8]
    private let unicodeFlags: UInt32
    /// `code` and `asciiCode` compiled with `PCRE2_ANCHORED` (`[0]` and `[1]`), made and
    /// JIT-compiled on first use under `jitLock`; ready once flags `[2]` and `[3]` of `jitReady`
    /// are set. Most patterns never need them.
    private let anchoredCodes: UnsafeMutablePointer<OpaquePointer?>

    /// Compiles `pattern` with UTF and UCP semantics (Unicode-aware `\w`, `\b`, `\d`, and case).
    public init(_ pattern: String, options: Options = [], limits: Limits = .standard) throws(PCRE2Error) {
        self.pattern = pattern
        self.options = options
        self.limits = limits
        var errorCode: Int32 = 0
        var errorOffset: Int = 0
        let flags = UInt32(PCRE2_UTF) | UInt32(PCRE2_UCP) | options.rawValue
        let written = Array(pattern.utf8)
        let bytes = options.contains(.extended) ? written : Regex.boundaryFirst(written) ?? written
        func compile(_ flags: UInt32, _ source: [UInt8]? = nil) -> OpaquePointer? {
            Regex.compile(source ?? bytes, flags: flags, errorCode: &errorCode, errorOffset: &errorOffset)
        }
        // Only the whole match is ever read, and a capturing group costs at every attempt (a
        // quarter of the time of a pattern made of word alternations): groups are compiled as
        // non-capturing, unless the pattern names or refers to one.
        var usedFlags = flags
        var compiledCode: OpaquePointer? = nil
        if !Regex.mustKeepCaptures(bytes) {
            compiledCode = compile(flags | UInt32(PCRE2_NO_AUTO_CAPTURE))
            if compiledCode != nil { usedFlags |= UInt32(PCRE2_NO_AUTO_CAPTURE) }
        }
        guard let compiled = compiledCode ?? compile(flags) else {
            // The error's offset must point into the pattern as written.
            if bytes != written { _ = compile(flags, written) }
            throw PCRE2Error(code: errorCode, pattern: pattern, offset: errorOffset)
        }
        self.code = compiled
        let ascii = pattern.contains("[:") ? nil : compile(usedFlags & ~UInt32(PCRE2_UCP))
        self.isJITCompiled = Regex.jitIsAvailable
        self.asciiCode = ascii
        self.jitReady = UnsafeMutablePointer<Int32>.allocate(capacity: 4)
        self.jitReady.initialize(repeating: 0, count: 4)
        self.compiledSource = bytes
        self.unicodeFlags = usedFlags
        self.anchoredCodes = UnsafeMutablePointer<OpaquePointer?>.allocate(capacity: 2)
        self.anchoredCodes.initialize(repeating: nil, count: 2)
        var captures: UInt32 = 0
        pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_CAPTURECOUNT), &captures)
        self.captureCount = Int(captures)
        guard let context = pcre2_match_context_create_8(nil) else {
            pcre2_code_free_8(compiled)
            pcre2_code_free_8(asciiCode)
            jitReady.deallocate()
            anchoredCodes.deallocate()
            throw PCRE2Error(code: Int32(PCRE2_ERROR_NOMEMORY), pattern: pattern, offset: nil)
        }
        pcre2_set_match_limit_8(context, limits.matchLimit)
        pcre2_set_depth_limit_8(context, limits.depthLimit)
        self.matchContext = context
    }

    deinit {
        pcre2_match_context_free_8(matchContext)
        pcre2_code_free_8(code)
        pcre2_code_free_8(asciiCode)
        pcre2_code_free_8(anchoredCodes[0])
        pcre2_code_free_8(anchoredCodes[1])
        jitReady.deallocate()
        anchoredCodes.deallocate()
    }

    static let jitIsAvailable: Bool = {
        var available: UInt32 = 0
        pcre2_config_8(UInt32(PCRE2_CONFIG_JIT), &available)
        return available != 0
    }()

    /// Whether `\d`, `\s`, `\w` and `\b` classify every character of `text` the same with and
    /// without Unicode properties: true when every non-ASCII character is punctuation (other than
    /// a connector such as `‿`) or a symbol — `«`, `»`, `–`, `€`, `•`, emoji —, none of which is a
    /// digit, a space or part of a word in either mode. Folded French text nearly always is.
    public static func isUnicodeNeutral(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        let count = text.count
        guard let base = text.baseAddress else { return true }
        let raw = UnsafeRawPointer(base)
        while index < count {
            // Eight ASCII bytes at a time: folded text is mostly ASCII, and a byte-by-byte walk
            // was 2 % of classifying.
            while index + 8 <= count, raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                index += 8
            }
            guard index < count else { break }
            let lead = text[index]
            if lead < 0x80 { index += 1; continue }
            var value: UInt32
            var length: Int
            if lead & 0xE0 == 0xC0 { value = UInt32(lead & 0x1F); length = 2 }
            else if lead & 0xF0 == 0xE0 { value = UInt32(lead & 0x0F); length = 3 }
            else if lead & 0xF8 == 0xF0 { value = UInt32(lead & 0x07); length = 4 }
            else { return false }
            guard index + length <= count else { return false }
            for offset in 1..<length { value = (value << 6) | UInt32(text[index + offset] & 0x3F) }
            if value < neutralTableLimit {
                guard neutralTable[Int(value >> 6)] & (1 << UInt64(value & 63)) != 0 else { return false }
            } else {
                guard let scalar = Unicode.Scalar(value), isNeutral(scalar) else { return false }
            }
            index += length
        }
        return true
    }

    /// The pattern with a word boundary that follows its leading lookbehinds moved before them:
    /// `(?<!je )(?<!on )\bva` becomes `\b(?<!je )(?<!on )va`, which matches the same (both are
    /// assertions at one position), but refuses most positions, inside words, at the boundary
    /// instead of after every lookbehind. Rules write exceptions first, as they read; 22 bundled
    /// patterns begin so, and the slowest of them ran twice as fast written the other way.
    /// `nil` when the pattern does not begin so, or holds a quotation (`\Q…\E`) or a comment
    /// (`(?#…)`), which this simple reading of its brackets could misread; callers skip it for
    /// extended patterns, where `#` starts a comment too.
    public static func boundaryFirst(_ pattern: [UInt8]) -> [UInt8]? {
        let open = UInt8(ascii: "("), close = UInt8(ascii: ")"), backslash = UInt8(ascii: "\\")
        guard pattern.count > 6, pattern[0] == open else { return nil }
        for index in 0..<(pattern.count - 1) {
            if pattern[index] == backslash && pattern[index + 1] == UInt8(ascii: "Q") { return nil }
            if pattern[index] == open && pattern[index + 1] == UInt8(ascii: "?") && index + 2 < pattern.count
                && pattern[index + 2] == UInt8(ascii: "#") { return nil }
        }
        var index = 0
        var lookbehinds = 0
        // Each leading `(?<!…)` or `(?<=…)`, to its matching bracket.
        while index + 4 <= pattern.count, pattern[index] == open, pattern[index + 1] == UInt8(ascii: "?"),
              pattern[index + 2] == UInt8(ascii: "<"), pattern[index + 3] == UInt8(ascii: "!") || pattern[index + 3] == UInt8(ascii: "=") {
            var depth = 0
            var inClass = false
            var position = index
            var closed = false
            while position < pattern.count {
                let byte = pattern[position]
                if byte == backslash {
                    position += 2
                    continue
                }
                if inClass {
                    if byte == UInt8(ascii: "]") { inClass = false }
                } else if byte == UInt8(ascii: "[") {
                    inClass = true
                    // A `]` (or `^]`) right after the opening bracket is a member, not the end.
                    if position + 1 < pattern.count, pattern[position + 1] == UInt8(ascii: "^") { position += 1 }
                    if position + 1 < pattern.count, pattern[position + 1] == UInt8(ascii: "]") { position += 1 }
                } else if byte == open {
                    depth += 1
                } else if byte == close {
                    depth -= 1
                    if depth == 0 {
                        closed = true
                        break
                    }
                }
                position += 1
            }
            guard closed else { return nil }
            index = position + 1
            lookbehinds += 1
        }
        guard lookbehinds > 0, index + 2 <= pattern.count, pattern[index] == backslash, pattern[index + 1] == UInt8(ascii: "b") else {
            return nil
        }
        return [backslash, UInt8(ascii: "b")] + pattern[0..<index] + pattern[(index + 2)...]
    }

    /// Whether the pattern names a group (`(?<name>`, `(?'name'`, `(?P<name>`) or refers to one
    /// (`\1`, `\g`, `\k`, `(?1)`, `(?R)`, `(?&name)`, `(?(1)…)`): its groups must then capture
    /// as written. Any escaped digit counts, since `\12` is a back-reference only when twelve
    /// groups capture, and otherwise an octal character.
    static func mustKeepCaptures(_ pattern: [UInt8]) -> Bool {
        var index = 0
        while index + 1 < pattern.count {
            let byte = pattern[index], next = pattern[index + 1]
            if byte == UInt8(ascii: "\\") {
                if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(next) || next == UInt8(ascii: "g") || next == UInt8(ascii: "k") {
                    return true
                }
                index += 2
                continue
            }
            if byte == UInt8(ascii: "("), next == UInt8(ascii: "?"), index + 2 < pattern.count {
                let kind = pattern[index + 2]
                switch kind {
                case UInt8(ascii: "'"), UInt8(ascii: "P"), UInt8(ascii: "("), UInt8(ascii: "&"), UInt8(ascii: "R"),
                     UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    return true
                case UInt8(ascii: "<"):
                    let after = index + 3 < pattern.count ? pattern[index + 3] : 0
                    if after != UInt8(ascii: "="), after != UInt8(ascii: "!") { return true }
                default:
                    break
                }
            }
            index += 1
        }
        return false
    }

    static func isNeutral(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation, .finalPunctuation,
             .otherPunctuation, .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            true
        default:
            false
        }
    }

    static let neutralTableLimit: UInt32 = 0x3000
    /// One bit per scalar below ``neutralTableLimit``: whether it is neutral.
    static let neutralTable: [UInt64] = {
        var table = [UInt64](repeating: 0, count: Int(neutralTableLimit) / 64)
        for value in 0x80..<neutralTableLimit {
            if let scalar = Unicode.Scalar(value), isNeutral(scalar) { table[Int(value >> 6)] |= 1 << UInt64(value & 63) }
        }
        return table
    }()

    /// `variant` (`code` as 0, `asciiCode` as 1), JIT-compiled on first use. No thread matches
    /// with a variant before its flag is set, so none uses it while another compiles it.
    private func ready(_ compiled: OpaquePointer, variant: Int) -> OpaquePointer {
        once(variant) { _ = pcre2_jit_compile_8(compiled, UInt32(PCRE2_JIT_COMPLETE)) }
        return compiled
    }

    /// Runs `prepare` the first time flag `index` of `jitReady` is asked for, under `jitLock`,
    /// and sets the flag after it: a thread that finds the flag set needs no lock and sees what
    /// `prepare` made.
    @inline(__always)
    private func once(_ index: Int, _ prepare: () -> Void) {
        let flag = jitReady + index
        if crible_flag_is_set(flag) != 0 { return }
        jitLock.lock()
        defer { jitLock.unlock() }
        if crible_flag_is_set(flag) == 0 {
            prepare()
            crible_set_flag(flag)
        }
    }

    /// `source` compiled with `flags`, or `nil` with the error's code and offset.
    private static func compile(_ source: [UInt8], flags: UInt32, errorCode: inout Int32, errorOffset: inout Int) -> OpaquePointer? {
        source.withUnsafeBufferPointer { buffer in
            pcre2_compile_8(buffer.baseAddress, buffer.count, flags, &errorCode, &errorOffset, nil)
        }
    }

    private func readyUnicodeCode() -> OpaquePointer { ready(code, variant: 0) }

    /// The anchored variant of `code` (`neutral` false) or `asciiCode` (true), compiled and
    /// JIT-compiled on first use; `nil` if it does not compile (it always should: only the
    /// anchoring flag differs).
    private func readyAnchoredCode(neutral: Bool) -> OpaquePointer? {
        let slot = neutral && asciiCode != nil ? 1 : 0
        once(2 + slot) {
            let flags = (slot == 1 ? unicodeFlags & ~UInt32(PCRE2_UCP) : unicodeFlags) | UInt32(PCRE2_ANCHORED)
            var errorCode: Int32 = 0
            var errorOffset: Int = 0
            let compiled = Regex.compile(compiledSource, flags: flags, errorCode: &errorCode, errorOffset: &errorOffset)
            if let compiled { _ = pcre2_jit_compile_8(compiled, UInt32(PCRE2_JIT_COMPLETE)) }
            anchoredCodes[slot] = compiled
        }
        return anchoredCodes[slot]
    }

    /// The code for a Unicode-neutral text: the ASCII variant when there is one.
    private func readyNeutralCode() -> OpaquePointer {
        guard let asciiCode else { return readyUnicodeCode() }
        return ready(asciiCode, variant: 1)
    }

    /// Whether the pattern can match an empty string (a rule that does is almost always a mistake).
    public var canMatchEmpty: Bool {
        var minLength: UInt32 = 0
        pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_MINLENGTH), &minLength)
        return minLength == 0
    }

    /// All non-overlapping matches in `text`, as byte ranges.
    ///
    /// - Parameters:
    ///   - validUTF8: pass `true` only when the caller has already checked that `text` is valid
    ///     UTF-8; PCRE2 then skips its own check (`PCRE2_NO_UTF_CHECK`), which otherwise costs a
    ///     full pass over the text for every pattern.
    ///   - unicodeNeutral: pass `true` only when ``isUnicodeNeutral(_:)`` holds for `text`: the
    ///     faster code compiled without Unicode properties then runs, with the same result.
    public func matches(
        in text: UnsafeBufferPointer<UInt8>,
        scratch: MatchScratch,
        validUTF8: Bool = true,
        limit: Int = .max,
        unicodeNeutral: Bool = false
    ) throws(PCRE2Error) -> [Range<Int>] {
        let code = unicodeNeutral ? readyNeutralCode() : readyUnicodeCode()
        var found: [Range<Int>] = []
        var start = 0
        var options: UInt32 = validUTF8 ? UInt32(PCRE2_NO_UTF_CHECK) : 0
        let data = scratch.matchData(forCaptures: captureCount)
        while start <= text.count, found.count < limit {
            guard let match = try match(code, in: text, from: start, options: options, data: data) else { break }
            found.append(match)
            start = Regex.resumption(after: match, in: text)
            options = UInt32(PCRE2_NO_UTF_CHECK)
        }
        return found
    }

    /// The same matches as ``matches(in:scratch:validUTF8:limit:unicodeNeutral:)``, found by
    /// trying the pattern, anchored, only at `candidates` (ascending byte offsets), which must
    /// include every offset where a match of the pattern can start.
    ///
    /// For a pattern such as `\b(?:ce|cet|cette|ces)\s+(?:connards?|…)`, PCRE2 tries a match at
    /// every `c` of the text; a caller that knows the words a match must start with can list the
    /// few places where they start (see `LeadingWords` in CribleRules), and the pattern is tried
    /// there alone. Each try sees the whole text, so lookbehinds and `\b` read the bytes before
    /// the candidate as they would in a scan. The one difference: the match limit then applies
    /// to each try rather than to the whole scan, so a try can no longer exhaust the limit for
    /// the others. The candidates are an array: as any sequence, this function was not
    /// specialised for its caller's module, and each candidate was read through a witness call.
    public func matches(
        in text: UnsafeBufferPointer<UInt8>,
        startingAt candidates: [Int],
        scratch: MatchScratch,
        validUTF8: Bool = true,
        limit: Int = .max,
        unicodeNeutral: Bool = false
    ) throws(PCRE2Error) -> [Range<Int>] {
        guard let code = readyAnchoredCode(neutral: unicodeNeutral) else {
            return try matches(in: text, scratch: scratch, validUTF8: validUTF8, limit: limit, unicodeNeutral: unicodeNeutral)
        }
        var found: [Range<Int>] = []
        // Where the scan would resume: no candidate before it is tried.
        var start = 0
        var options: UInt32 = validUTF8 ? UInt32(PCRE2_NO_UTF_CHECK) : 0
        let data = scratch.matchData(forCaptures: captureCount)
        for candidate in candidates where candidate >= start {
            guard candidate <= text.count, found.count < limit else { break }
            let match = try match(code, in: text, from: candidate, options: options, data: data)
            options = UInt32(PCRE2_NO_UTF_CHECK)
            guard let match else { continue }
            found.append(match)
            start = Regex.resumption(after: match, in: text)
        }
        return found
    }

    /// One search (or, with anchored code, one try) from `offset`: the match, or `nil`.
    @inline(__always)
    private func match(_ code: OpaquePointer, in text: UnsafeBufferPointer<UInt8>, from offset: Int,
                       options: UInt32, data: OpaquePointer) throws(PCRE2Error) -> Range<Int>? {
        let rc = pcre2_match_8(code, text.baseAddress, text.count, offset, options, data, matchContext)
        if rc == PCRE2_ERROR_NOMATCH { return nil }
        if rc < 0 { throw PCRE2Error(code: rc, pattern: pattern, offset: offset) }
        let ovector = pcre2_get_ovector_pointer_8(data)!
        return ovector[0]..<ovector[1]
    }

    /// Where the next search starts after `match`: its end, or, after an empty match, past one
    /// whole UTF-8 character, so that the next search makes progress.
    @inline(__always)
    private static func resumption(after match: Range<Int>, in text: UnsafeBufferPointer<UInt8>) -> Int {
        guard match.isEmpty else { return match.upperBound }
        var start = match.upperBound + 1
        while start < text.count, text[start] & 0xC0 == 0x80 { start += 1 }
        return start
    }

    /// Convenience for tests and one-off matching: matches a Swift string, returns byte ranges.
    public func matches(in text: String) throws(PCRE2Error) -> [Range<Int>] {
        let bytes = Array(text.utf8)
        let scratch = MatchScratch()
        let result: Result<[Range<Int>], PCRE2Error> = bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(PCRE2Error) in try matches(in: buffer, scratch: scratch, validUTF8: true) }
        }
        return try result.get()
    }
}

/// Per-task scratch space for matching: PCRE2 match data, grown on demand.
///
/// Match data holds the results of the last match, so it must never be used by two matches at
/// once. Each classification task creates its own; the class is deliberately not `Sendable`.
public final class MatchScratch {
    private var data: OpaquePointer?
    private var pairs: UInt32 = 0

    public init() {}

    deinit { if let data { pcre2_match_data_free_8(data) } }

    func matchData(forCaptures captures: Int) -> OpaquePointer {
        let needed = UInt32(captures + 1)
        if let data, pairs >= needed { return data }
        if let data { pcre2_match_data_free_8(data) }
        let size = max(needed, 16)
        guard let created = pcre2_match_data_create_8(size, nil) else {
            fatalError("PCRE2 could not allocate match data: out of memory")
        }
        data = created
        pairs = size
        return created
    }
}
