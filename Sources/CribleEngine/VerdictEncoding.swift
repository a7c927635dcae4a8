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
        let document = verdict.document
        let lines = LineIndex(verdict.text.original)
        var fieldIndexes: [String: LineIndex] = [:]
        for field in document.fields where document.fields.count > 1 {
            fieldIndexes[field.name] = LineIndex(Array(verdict.text.original[field.range]))
        }
        let pageLines = document.origin?.sourceMap.map { LineIndex($0.page) }
        func span(_ range: Range<Int>) -> JSONValue {
            if let map = document.origin?.sourceMap, let pageLines {
                // Extracted from markup: offsets, lines and columns are those of the file.
                let page = map.pageRange(of: range)
                let position = pageLines.position(ofByte: page.lowerBound)
                return .object([
                    ("field", .string("file")),
                    ("byte_start", .integer(page.lowerBound)), ("byte_end", .integer(page.upperBound)),
                    ("char_start", .integer(pageLines.characterOffset(ofByte: page.lowerBound))),
                    ("char_end", .integer(pageLines.characterOffset(ofByte: page.upperBound))),
                    ("line", .integer(position.line)), ("column", .integer(position.column)),
                    ("text", .string(verdict.text.originalString(range))),
                ])
            }
            let (field, start) = document.field(containing: range.lowerBound)
            let end = start + range.count
            let index = fieldIndexes[field.name] ?? lines
            let position = index.position(ofByte: start)
            return .object([
                ("field", .string(field.name)),
                ("byte_start", .integer(start)), ("byte_end", .integer(end)),
                ("char_start", .integer(index.characterOffset(ofByte: start))),
                ("char_end", .integer(index.characterOffset(ofByte: end))),
                ("line", .integer(position.line)), ("column", .integer(position.column)),
                ("text", .string(verdict.text.originalString(range))),
            ])
        }
        var object: [(String, JSONValue)] = [("id", .string(document.id))]
        if let title = document.title { object.append(("title", .string(title))) }
        object += [
            ("language", .object([("code", .string(verdict.language.code)),
                                  ("confidence", .score(verdict.language.confidence)),
                                  ("declared", .bool(verdict.language.declared))])),
            ("action", .string(verdict.action.rawValue)),
            ("labels", .array(verdict.labels.map { label in
                var pairs: [(String, JSONValue)] = [("label", .string(label.label)), ("score", .score(label.score))]
                if let iptc = label.iptc { pairs.append(("iptc", .string(iptc))) }
                return .object(pairs)
            })),
            ("sentiment", .object([("label", .string(verdict.sentiment.label)), ("score", .score(verdict.sentiment.score)),
                                   ("positive", .score(verdict.sentiment.positive)), ("negative", .score(verdict.sentiment.negative)),
                                   ("terms", .array(verdict.sentiment.terms.map { term in
                                       .object([("term", .string(term.term)), ("valence", .score(term.valence)),
                                                ("adjusted", .score(term.adjustedValence)),
                                                ("modifiers", .array(term.modifiers.map(JSONValue.string))),
                                                ("span", span(term.span))])
                                   }))])),
            ("evidence", .array(verdict.evidence.map { item in
                var pairs: [(String, JSONValue)] = [("rule", .string(item.ruleID))]
                pairs.append(("label", item.label.map(JSONValue.string) ?? .null))
                pairs.append(("weight", .score(item.weight)))
                pairs.append(("contribution", .score(scorer.contribution(of: item, titleRange: document.titleRange,
                                                                         tokens: verdict.text.tokenCount))))
                switch item.source {
                case .rule(let file): pairs.append(("source", .string(file)))
                case .plugin(let id): pairs.append(("source", .string("plugin:\(id)")))
                }
                if let note = item.note { pairs.append(("note", .string(note))) }
                pairs.append(("hits", .array(item.hits.map { hit in .array(hit.spans.map(span)) })))
                return .object(pairs)
            })),
            ("reasons", .array(verdict.reasons.map { reason in
                .object([("action", .string(reason.action.rawValue)), ("policy_rule", .string(reason.policyRule)),
                         ("label", .string(reason.label)), ("score", .score(reason.score)),
                         ("threshold", .score(reason.threshold))])
            })),
        ]
        if verdict.suppressedHits > 0 { object.append(("suppressed_hits", .integer(verdict.suppressedHits))) }
        if !verdict.unusedSuppressions.isEmpty {
            object.append(("unused_suppressions", .array(verdict.unusedSuppressions.map { suppression in
                .object([("directive", span(suppression.directive))])
            })))
        }
        if !verdict.issues.isEmpty {
            object.append(("issues", .array(verdict.issues.map { .object([("source", .string($0.source)), ("message", .string($0.message))]) })))
        }
        object += [("engine", .string("crible \(engineVersion)")), ("rules_digest", .string("sha256:\(rulesDigest)"))]
        return .object(object)
    }

    public func encode(_ failure: InputFailure) -> JSONValue {
        var error: [(String, JSONValue)] = [("message", .string(failure.message))]
        if let file = failure.file { error.append(("file", .string(file))) }
        if let line = failure.line { error.append(("line", .integer(line))) }
        return .object([("id", .string(failure.id)), ("error", .object(error)),
                        ("engine", .string("crible \(engineVersion)"))])
    }
}
