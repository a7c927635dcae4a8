import CribleCore
import CribleRules

/// The JSON form of verdicts and failures: the one schema every machine-readable reporter uses.
/// Documented in the README ("Verdict JSON").
public struct VerdictEncoder: Sendable {
    public let engineVersion: String
    public let rulesDigest: String
    public let scorer: Scorer

    public init(engine: Engine) {
        self.engineVersion = Engine.version
        self.rulesDigest = engine.ruleSet.digest
        self.scorer = engine.scorer
    }

    public func encode(_ verdict: Verdict) -> JSONValue {
        var builder = JSONTreeBuilder()
        write(verdict, to: &builder)
        return builder.result
    }

    /// The verdict as one line of compact JSON, written straight to bytes: the same text as
    /// `encode(verdict).serialized()`, without building the tree (for JSON lines, the tree of
    /// every verdict cost more to build and free than to write).
    public func line(_ verdict: Verdict) -> String {
        var writer = JSONLineWriter()
        write(verdict, to: &writer)
        return writer.text
    }

    /// The same line as bytes, with its line feed: for output, where making a `String` of it
    /// (which validates every byte again) and then its bytes had cost a tenth of writing it.
    public func lineBytes(_ verdict: Verdict) -> [UInt8] {
        // A line is about eight times the size of its text (every hit's offsets, line, column
        // and text): sized for that, it is not copied through four growing buffers.
        var writer = JSONLineWriter(capacity: 4096 + 10 * verdict.text.original.count)
        write(verdict, to: &writer)
        return writer.finishLine()
    }

    /// The verdict's fields in schema order, to any sink: one description of the schema for the
    /// tree and for the line writer.
    func write<Sink: JSONSink & ~Copyable>(_ verdict: Verdict, to sink: inout Sink) {
        let document = verdict.document
        let lines = LineIndex(verdict.text.original)
        var fieldIndexes: [String: LineIndex] = [:]
        for field in document.fields where document.fields.count > 1 {
            fieldIndexes[field.name] = LineIndex(Array(verdict.text.original[field.range]))
        }
        let pageLines = document.origin?.sourceMap.map { LineIndex($0.page) }
        func field(_ name: StaticString, _ value: JSONValue) {
            sink.key(name)
            sink.value(value)
        }
        func field(_ name: StaticString, integer: Int) {
            sink.key(name)
            sink.value(integer: integer)
        }
        func span(_ range: Range<Int>) {
            // A span is written the same way wherever it appears, and the same words are the
            // evidence of several rules (a proximity rule and the list it starts from): half the
            // spans of a news verdict are repeats, which the sink copies instead of writing again.
            if sink.repeatValue(recordedAs: range) { return }
            sink.startRecording(as: range)
            defer { sink.endRecording() }
            let name: String, start: Int, end: Int, index: LineIndex
            if let map = document.origin?.sourceMap, let pageLines {
                // Extracted from markup: offsets, lines and columns are those of the file.
                let page = map.pageRange(of: range)
                (name, start, end, index) = ("file", page.lowerBound, page.upperBound, pageLines)
            } else {
                let (documentField, fieldStart) = document.field(containing: range.lowerBound)
                (name, start, end) = (documentField.name, fieldStart, fieldStart + range.count)
                index = fieldIndexes[documentField.name] ?? lines
            }
            let (position, characterStart) = index.location(ofByte: start)
            sink.beginObject()
            field("field", .string(name))
            field("byte_start", integer: start)
            field("byte_end", integer: end)
            field("char_start", integer: characterStart)
            field("char_end", integer: index.characterOffset(ofByte: end))
            field("line", integer: position.line)
            field("column", integer: position.column)
            // The document's own bytes, when the span starts and ends on character boundaries (it
            // always does): no string is made and read again for every span.
            let original = verdict.text.original
            if range.lowerBound >= 0, range.upperBound <= original.count,
               range.isEmpty || original[range.lowerBound] & 0xC0 != 0x80,
               range.upperBound == original.count || original[range.upperBound] & 0xC0 != 0x80 {
                sink.key("text")
                sink.value(utf8: original[range])
            } else {
                field("text", .string(verdict.text.originalString(range)))
            }
            sink.endObject()
        }
        /// `key: {…}`, the body writing the fields.
        func object(_ key: StaticString, _ body: () -> Void) {
            sink.key(key)
            sink.beginObject()
            body()
            sink.endObject()
        }
        /// `key: [{…}, …]`, one object per item.
        func objects<Items: Sequence>(_ key: StaticString, _ items: Items, _ body: (Items.Element) -> Void) {
            sink.key(key)
            sink.beginArray()
            for item in items {
                sink.beginObject()
                body(item)
                sink.endObject()
            }
            sink.endArray()
        }
        sink.beginObject()
        field("id", .string(document.id))
        if let title = document.title { field("title", .string(title)) }
        object("language") {
            field("code", .string(verdict.language.code))
            field("confidence", .score(verdict.language.confidence))
            field("declared", .bool(verdict.language.declared))
        }
        field("action", .string(verdict.action.rawValue))
        objects("labels", verdict.labels) { label in
            field("label", .string(label.label))
            field("score", .score(label.score))
            if let iptc = label.iptc { field("iptc", .string(iptc)) }
        }
        object("sentiment") {
            field("label", .string(verdict.sentiment.label))
            field("score", .score(verdict.sentiment.score))
            field("positive", .score(verdict.sentiment.positive))
            field("negative", .score(verdict.sentiment.negative))
            objects("terms", verdict.sentiment.terms) { term in
                field("term", .string(term.term))
                field("valence", .score(term.valence))
                field("adjusted", .score(term.adjustedValence))
                sink.key("modifiers")
                sink.beginArray()
                for modifier in term.modifiers { sink.value(.string(modifier)) }
                sink.endArray()
                sink.key("span")
                span(term.span)
            }
        }
        objects("evidence", verdict.evidence) { item in
            field("rule", .string(item.ruleID))
            field("label", item.label.map(JSONValue.string) ?? .null)
            field("weight", .score(item.weight))
            field("contribution", .score(scorer.contribution(of: item, titleRange: document.titleRange,
                                                             tokens: verdict.text.tokenCount)))
            switch item.source {
            case .rule(let file): field("source", .string(file))
            case .plugin(let id): field("source", .string("plugin:\(id)"))
            }
            if let note = item.note { field("note", .string(note)) }
            sink.key("hits")
            sink.beginArray()
            for hit in item.hits {
                sink.beginArray()
                for range in hit.spanView { span(range) }
                sink.endArray()
            }
            sink.endArray()
        }
        objects("reasons", verdict.reasons) { reason in
            field("action", .string(reason.action.rawValue))
            field("policy_rule", .string(reason.policyRule))
            field("label", .string(reason.label))
            field("score", .score(reason.score))
            field("threshold", .score(reason.threshold))
        }
        if verdict.suppressedHits > 0 { field("suppressed_hits", .integer(verdict.suppressedHits)) }
        if !verdict.unusedSuppressions.isEmpty {
            objects("unused_suppressions", verdict.unusedSuppressions) { suppression in
                sink.key("directive")
                span(suppression.directive)
            }
        }
        if !verdict.issues.isEmpty {
            objects("issues", verdict.issues) { issue in
                field("source", .string(issue.source))
                field("message", .string(issue.message))
            }
        }
        field("engine", .string("crible \(engineVersion)"))
        field("rules_digest", .string("sha256:\(rulesDigest)"))
        sink.endObject()
    }

    public func encode(_ failure: InputFailure) -> JSONValue {
        var error: [(String, JSONValue)] = [("message", .string(failure.message))]
        if let file = failure.file { error.append(("file", .string(file))) }
        if let line = failure.line { error.append(("line", .integer(line))) }
        if let column = failure.column { error.append(("column", .integer(column))) }
        return .object([("id", .string(failure.id)), ("error", .object(error)),
                        ("engine", .string("crible \(engineVersion)"))])
    }
}

/// Receives a JSON document in order: containers opened and closed, keys, and scalar values
/// (strings, numbers, booleans, null).
protocol JSONSink: ~Copyable {
    mutating func beginObject()
    mutating func endObject()
    mutating func beginArray()
    mutating func endArray()
    /// The key of the next value; only inside an object. Keys are the schema's own names, plain
    /// ASCII that needs no escaping, so a writer copies them as they are.
    mutating func key(_ name: StaticString)
    mutating func value(_ scalar: JSONValue)
    /// An integer value: the same as `value(.integer(integer))`, for the many offsets of spans.
    mutating func value(integer: Int)
    /// A string given as valid UTF-8 bytes.
    mutating func value(utf8 bytes: ArraySlice<UInt8>)
    /// Writes again the value recorded under `key`, and returns `true`; `false` (writing nothing)
    /// when there is none.
    mutating func repeatValue(recordedAs key: Range<Int>) -> Bool
    /// The next value written, up to ``endRecording()``, may be repeated under `key`.
    mutating func startRecording(as key: Range<Int>)
    mutating func endRecording()
}

/// Builds a ``JSONValue`` tree from the pieces.
struct JSONTreeBuilder: JSONSink {
    private enum Container {
        case object([(String, JSONValue)], pendingKey: String?)
        case array([JSONValue])
    }
    private var stack: [Container] = []
    private(set) var result: JSONValue = .null

    mutating func beginObject() { stack.append(.object([], pendingKey: nil)) }
    mutating func beginArray() { stack.append(.array([])) }

    mutating func endObject() {
        guard case .object(let pairs, _)? = stack.popLast() else { preconditionFailure("endObject without an open object") }
        value(.object(pairs))
    }

    mutating func endArray() {
        guard case .array(let values)? = stack.popLast() else { preconditionFailure("endArray without an open array") }
        value(.array(values))
    }

    mutating func key(_ name: StaticString) {
        guard case .object(let pairs, _)? = stack.popLast() else { preconditionFailure("a key outside an object") }
        stack.append(.object(pairs, pendingKey: "\(name)"))
    }

    mutating func value(utf8 bytes: ArraySlice<UInt8>) { value(.string(String(decoding: bytes, as: UTF8.self))) }
    mutating func value(integer: Int) { value(.integer(integer)) }

    /// A tree shares nothing between its nodes: every value is built.
    mutating func repeatValue(recordedAs key: Range<Int>) -> Bool { false }
    mutating func startRecording(as key: Range<Int>) {}
    mutating func endRecording() {}

    mutating func value(_ value: JSONValue) {
        switch stack.popLast() {
        case nil:
            result = value
        case .object(var pairs, let key)?:
            pairs.append((key ?? "", value))
            stack.append(.object(pairs, pendingKey: nil))
        case .array(var values)?:
            values.append(value)
            stack.append(.array(values))
        }
    }
}

/// Writes compact JSON bytes as the pieces come, exactly as ``JSONValue/serialized(pretty:indent:)``
/// writes the same tree (scalars are written by ``JSONValue`` itself).
struct JSONLineWriter: JSONSink, ~Copyable {
    private var output: JSONOutput
    /// Bit `n` is set once something was written in the container open at depth `n + 1`, so the
    /// next item there gets a comma. The schema nests six containers deep.
    private var writtenBits: UInt64 = 0
    private var depth = 0
    private var afterKey = false

    init(capacity: Int = 4096) { output = JSONOutput(capacity: capacity) }

    var text: String { output.string }

    /// The bytes with a line feed after them.
    consuming func finishLine() -> [UInt8] {
        output.append(0x0A)
        return output.bytes
    }

    @inline(__always)
    private mutating func separate() {
        if afterKey {
            afterKey = false
            return
        }
        guard depth > 0 else { return }
        let bit: UInt64 = 1 << UInt64(depth - 1)
        if writtenBits & bit != 0 { output.append(0x2C) } else { writtenBits |= bit }
    }

    @inline(__always)
    private mutating func open(_ bracket: UInt8) {
        separate()
        output.append(bracket)
        precondition(depth < 64, "JSON nested deeper than the verdict schema")
        writtenBits &= ~(1 << UInt64(depth))
        depth += 1
    }

    @inline(__always)
    mutating func beginObject() { open(0x7B) }
    @inline(__always)
    mutating func endObject() { output.append(0x7D); depth -= 1 }
    mutating func beginArray() { open(0x5B) }
    mutating func endArray() { output.append(0x5D); depth -= 1 }

    /// Copied without the escape scan of ``JSONValue/writeString(_:to:)``: run for every key of
    /// every span, that scan had cost more than the rest of a span's fields together.
    @inline(__always)
    mutating func key(_ name: StaticString) {
        separate()
        assert(name.withUTF8Buffer { $0.allSatisfy { $0 >= 0x20 && $0 < 0x80 && $0 != 0x22 && $0 != 0x5C } },
               "a key that needs escaping")
        output.appendKey(name)
        afterKey = true
    }

    mutating func value(_ scalar: JSONValue) {
        separate()
        scalar.write(to: &output, pretty: false, indent: 0)
    }

    @inline(__always)
    mutating func value(integer: Int) {
        separate()
        output.appendDecimal(integer)
    }

    mutating func value(utf8 bytes: ArraySlice<UInt8>) {
        separate()
        bytes.withUnsafeBufferPointer { JSONValue.writeString(utf8: $0, to: &output) }
    }

    /// Where each recorded value's bytes are in the output.
    private var recorded = RecordedSpans()
    private var recording: (key: Range<Int>, start: Int)?

    mutating func repeatValue(recordedAs key: Range<Int>) -> Bool {
        guard let bytes = recorded.output(of: key) else { return false }
        separate()
        output.appendCopy(of: bytes)
        return true
    }

    mutating func startRecording(as key: Range<Int>) {
        // The separator goes before the recorded bytes, not in them: a repeat may stand where
        // another separator, or none, is due.
        separate()
        afterKey = true
        recording = (key, output.count)
    }

    mutating func endRecording() {
        guard let (key, start) = recording else { return }
        recorded.record(key, output: start..<output.count)
        recording = nil
    }
}
