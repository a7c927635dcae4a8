import CYaml

/// Where a YAML node starts: 1-based line and column. Columns count Unicode scalars, as libyaml
/// does and as editors show them for the text of rule files.
struct YAMLMark: Sendable, Equatable {
    var line: Int
    var column: Int
}

/// A node of a YAML document, as Crible's readers need it: its value, how a scalar was written
/// (a number must be plain, a lexicon block is literal), and where it starts.
///
/// Every scalar is a string: the readers parse numbers and booleans themselves, so that a
/// wrong value gets Crible's own error at its position rather than a silent type guess (YAML 1.1
/// reads `no` as false and `1e3` as a number).
enum YAMLNode: Sendable {
    case scalar(Scalar)
    case sequence([YAMLNode], YAMLMark)
    case mapping([(key: YAMLNode, value: YAMLNode)], YAMLMark)

    struct Scalar: Sendable {
        enum Style: Sendable { case plain, singleQuoted, doubleQuoted, literal, folded }
        var string: String
        var style: Style
        var mark: YAMLMark
    }

    var scalar: Scalar? {
        if case .scalar(let scalar) = self { return scalar }
        return nil
    }

    var sequence: [YAMLNode]? {
        if case .sequence(let items, _) = self { return items }
        return nil
    }

    var mapping: [(key: YAMLNode, value: YAMLNode)]? {
        if case .mapping(let pairs, _) = self { return pairs }
        return nil
    }

    var mark: YAMLMark {
        switch self {
        case .scalar(let scalar): scalar.mark
        case .sequence(_, let mark), .mapping(_, let mark): mark
        }
    }

    /// The value of a mapping's key, if this is a mapping and has it.
    func value(forKey key: String) -> YAMLNode? {
        mapping?.first { $0.key.scalar?.string == key }?.value
    }
}

/// A problem that stops a YAML text from being read, at its position.
struct YAMLSyntaxError: Error, Sendable {
    var message: String
    var mark: YAMLMark
}

/// Builds ``YAMLNode`` trees from libyaml's events.
///
/// Rule files used to be read into Yams's node tree and then converted. That tree gives every
/// node a tag object carrying a resolver and a constructor, decodes each scalar through
/// Foundation and groups each mapping's keys in a dictionary to look for duplicates; together
/// that was about a third of loading the bundled packs (measured with `perf`). Reading the
/// events directly builds only what the readers use.
///
/// Duplicate keys are not fatal here: the first value is kept, and each repeated key is
/// returned as a problem at its own position, so that the rest of the file still loads.
struct YAMLComposer {
    struct Duplicate: Sendable {
        var key: String
        var mark: YAMLMark
        var first: YAMLMark
    }

    /// The root node of a one-document YAML text (`nil` when the text holds no document), with
    /// the duplicate keys that were dropped.
    static func compose(_ text: String) -> Result<(root: YAMLNode?, duplicates: [Duplicate]), YAMLSyntaxError> {
        var text = text
        return text.withUTF8 { bytes in
            let events = EventReader(bytes)
            do {
                try events.advance()  // stream start
                try events.advance()
                if events.type == YAML_STREAM_END_EVENT { return .success((nil, events.duplicates)) }
                try events.advance()  // document start
                let root = try events.node()
                try events.advance()  // document end
                try events.advance()
                if events.type != YAML_STREAM_END_EVENT {
                    throw YAMLSyntaxError(message: "found a second document; a Crible YAML file holds one",
                                          mark: events.mark)
                }
                return .success((root, events.duplicates))
            } catch let error as YAMLSyntaxError {
                return .failure(error)
            } catch {
                return .failure(YAMLSyntaxError(message: "\(error)", mark: YAMLMark(line: 1, column: 1)))
            }
        }
    }

    /// libyaml's parser and its current event. Both live at fixed addresses for the parser's
    /// whole life, as libyaml requires.
    private final class EventReader {
        private let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        private let event = UnsafeMutablePointer<yaml_event_t>.allocate(capacity: 1)
        private let bytes: UnsafeBufferPointer<UInt8>
        private var holdsEvent = false
        private var anchors: [String: YAMLNode] = [:]
        private(set) var duplicates: [Duplicate] = []

        init(_ bytes: UnsafeBufferPointer<UInt8>) {
            self.bytes = bytes
            parser.initialize(to: yaml_parser_t())
            event.initialize(to: yaml_event_t())
            yaml_parser_initialize(parser)
            yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)
            yaml_parser_set_input_string(parser, bytes.baseAddress, bytes.count)
        }

        deinit {
            if holdsEvent { yaml_event_delete(event) }
            yaml_parser_delete(parser)
            parser.deallocate()
            event.deallocate()
        }

        var type: yaml_event_type_t { event.pointee.type }

        var mark: YAMLMark {
            YAMLMark(line: Int(event.pointee.start_mark.line) + 1, column: Int(event.pointee.start_mark.column) + 1)
        }

        /// Moves to the next event, freeing the current one.
        func advance() throws {
            if holdsEvent {
                yaml_event_delete(event)
                holdsEvent = false
            }
            guard yaml_parser_parse(parser, event) == 1 else { throw syntaxError() }
            holdsEvent = true
        }

        /// The node that starts at the current event. On return, the current event is the
        /// node's last (its scalar, or the end of its sequence or mapping).
        func node() throws -> YAMLNode {
            let start = mark
            switch type {
            case YAML_SCALAR_EVENT:
                let data = event.pointee.data.scalar
                let string = data.length == 0 ? "" : String(decoding: UnsafeBufferPointer(start: data.value, count: data.length), as: UTF8.self)
                let node = YAMLNode.scalar(.init(string: string, style: Self.style(data.style), mark: start))
                if let anchor = data.anchor { anchors[String(cString: anchor)] = node }
                return node
            case YAML_SEQUENCE_START_EVENT:
                let anchor = event.pointee.data.sequence_start.anchor.map { String(cString: $0) }
                var items: [YAMLNode] = []
                try advance()
                while type != YAML_SEQUENCE_END_EVENT {
                    items.append(try node())
                    try advance()
                }
                let node = YAMLNode.sequence(items, start)
                if let anchor { anchors[anchor] = node }
                return node
            case YAML_MAPPING_START_EVENT:
                let anchor = event.pointee.data.mapping_start.anchor.map { String(cString: $0) }
                var pairs: [(key: YAMLNode, value: YAMLNode)] = []
                // Rules have a handful of keys, compared directly; a large mapping gets an index.
                var indexOfKey: [String: Int] = [:]
                try advance()
                while type != YAML_MAPPING_END_EVENT {
                    let key = try node()
                    try advance()
                    let value = try node()
                    try advance()
                    if let name = key.scalar?.string {
                        if pairs.count == 16 {
                            for (index, pair) in pairs.enumerated() {
                                if let other = pair.key.scalar?.string { indexOfKey[other] = index }
                            }
                        }
                        let first = pairs.count < 16 ? pairs.firstIndex { $0.key.scalar?.string == name } : indexOfKey[name]
                        if let first {
                            duplicates.append(Duplicate(key: name, mark: key.mark, first: pairs[first].key.mark))
                            continue
                        }
                        if pairs.count >= 16 { indexOfKey[name] = pairs.count }
                    }
                    pairs.append((key, value))
                }
                let node = YAMLNode.mapping(pairs, start)
                if let anchor { anchors[anchor] = node }
                return node
            case YAML_ALIAS_EVENT:
                let name = String(cString: event.pointee.data.alias.anchor)
                guard let node = anchors[name] else {
                    throw YAMLSyntaxError(message: "found undefined alias `*\(name)`", mark: start)
                }
                return node
            default:
                throw YAMLSyntaxError(message: "unexpected YAML event", mark: start)
            }
        }

        private static func style(_ style: yaml_scalar_style_t) -> YAMLNode.Scalar.Style {
            switch style {
            case YAML_SINGLE_QUOTED_SCALAR_STYLE: .singleQuoted
            case YAML_DOUBLE_QUOTED_SCALAR_STYLE: .doubleQuoted
            case YAML_LITERAL_SCALAR_STYLE: .literal
            case YAML_FOLDED_SCALAR_STYLE: .folded
            default: .plain
            }
        }

        /// libyaml's description of why it stopped, worded as Yams worded it (the golden lint
        /// outputs and users' habits rely on it), at the problem's position.
        private func syntaxError() -> YAMLSyntaxError {
            let state = parser.pointee
            let problem = state.problem.map { String(cString: $0) } ?? "cannot read the YAML text"
            switch state.error {
            case YAML_READER_ERROR:
                return YAMLSyntaxError(message: problem, mark: position(ofByte: state.problem_offset))
            case YAML_MEMORY_ERROR:
                return YAMLSyntaxError(message: "out of memory", mark: YAMLMark(line: 1, column: 1))
            default:
                let context = state.context.map {
                    " (\(String(cString: $0)) at \(state.context_mark.line + 1):\(state.context_mark.column + 1))"
                } ?? ""
                return YAMLSyntaxError(message: "\(problem)\(context)",
                                       mark: YAMLMark(line: Int(state.problem_mark.line) + 1,
                                                      column: Int(state.problem_mark.column) + 1))
            }
        }

        /// Line and column (in Unicode scalars) of a byte offset, for reader errors, which
        /// libyaml reports as an offset only.
        private func position(ofByte offset: Int) -> YAMLMark {
            var line = 1, column = 1
            for byte in bytes.prefix(offset) {
                if byte == 0x0A {
                    line += 1
                    column = 1
                } else if byte & 0xC0 != 0x80 {
                    column += 1
                }
            }
            return YAMLMark(line: line, column: column)
        }
    }
}
