import CribleCore

/// One JSON document: run metadata, every verdict and every failure, and a summary.
public struct JSONReporter: Reporter {
    public static let identifier = "json"
    let encoder: VerdictEncoder

    public init(engine: Engine) { encoder = VerdictEncoder(engine: engine) }

    public func report(_ items: [BatchItem]) -> String {
        var documents: [JSONValue] = []
        var failures: [JSONValue] = []
        var actions: [Action: Int] = [:]
        for item in items {
            switch item {
            case .verdict(let verdict):
                documents.append(encoder.encode(verdict))
                actions[verdict.action, default: 0] += 1
            case .failure(let failure):
                failures.append(encoder.encode(failure))
            }
        }
        let summary: JSONValue = .object([
            ("documents", .integer(documents.count)), ("failures", .integer(failures.count)),
            ("allow", .integer(actions[.allow] ?? 0)), ("review", .integer(actions[.review] ?? 0)),
            ("block", .integer(actions[.block] ?? 0)),
        ])
        return JSONValue.object([
            ("engine", .string("crible \(encoder.engineVersion)")), ("rules_digest", .string("sha256:\(encoder.rulesDigest)")),
            ("summary", summary), ("documents", .array(documents)), ("failures", .array(failures)),
        ]).serialized(pretty: true) + "\n"
    }
}
