import CribleCore

/// SARIF 2.1.0, for code-scanning dashboards: one result per piece of evidence behind a
/// `review` (warning) or `block` (error) decision, with the rule's metadata and the exact region.
/// Unreadable inputs are reported as tool notifications, not as findings.
public struct SARIFReporter: Reporter {
    public static let identifier = "sarif"
    let engine: Engine

    public init(engine: Engine) { self.engine = engine }

    public func report(_ items: [BatchItem]) -> String {
        var results: [JSONValue] = []
        var usedRules: [String] = []
        var pluginOfRule: [String: String] = [:]
        var notifications: [JSONValue] = []
        for item in items {
            switch item {
            case .failure(let failure):
                var location: [(String, JSONValue)] = []
                if let file = failure.file {
                    var physical: [(String, JSONValue)] = [("artifactLocation", .object([("uri", .string(file))]))]
                    if let line = failure.line {
                        var region: [(String, JSONValue)] = [("startLine", .integer(line))]
                        if let column = failure.column { region.append(("startColumn", .integer(column))) }
                        physical.append(("region", .object(region)))
                    }
                    location = [("locations", .array([.object([("physicalLocation", .object(physical))])]))]
                }
                notifications.append(.object([("level", .string("error")), ("message", .object([("text", .string("\(failure.id): \(failure.message)"))]))] + location))
            case .verdict(let verdict):
                for finding in Finding.findings(in: verdict) {
                    if !usedRules.contains(finding.evidence.ruleID) { usedRules.append(finding.evidence.ruleID) }
                    if case .plugin(let id) = finding.evidence.source { pluginOfRule[finding.evidence.ruleID] = id }
                    var result: [(String, JSONValue)] = [
                        ("ruleId", .string(finding.evidence.ruleID)),
                        ("level", .string(finding.action == .block ? "error" : "warning")),
                        ("message", .object([("text", .string(finding.message))])),
                    ]
                    if let file = finding.file {
                        var region: [(String, JSONValue)] = []
                        if let line = finding.line { region.append(("startLine", .integer(line))) }
                        if let column = finding.column { region.append(("startColumn", .integer(column))) }
                        if let line = finding.endLine { region.append(("endLine", .integer(line))) }
                        if let column = finding.endColumn { region.append(("endColumn", .integer(column))) }
                        if !finding.text.isEmpty { region.append(("snippet", .object([("text", .string(finding.text))]))) }
                        result.append(("locations", .array([.object([("physicalLocation", .object([
                            ("artifactLocation", .object([("uri", .string(file))])), ("region", .object(region)),
                        ]))])])))
                    }
                    result.append(("properties", .object([("label", .string(finding.label)), ("document", .string(verdict.document.id)),
                                                          ("score", .score(verdict.score(of: finding.label)))])))
                    results.append(.object(result))
                }
            }
        }
        let rules: [JSONValue] = usedRules.map { id in
            let rule = engine.ruleSet.rule(withID: id)
            let plugin = pluginOfRule[id].flatMap { pluginID in engine.classifiers.first { $0.descriptor.id == pluginID } }
            let description = rule?.definition.description ?? plugin?.descriptor.summary ?? id
            var properties: [(String, JSONValue)] = []
            if let label = rule?.label { properties.append(("label", .string(label))) }
            if let rule { properties.append(("source", .string(rule.definition.location.description))) }
            if let plugin { properties.append(("plugin", .string(plugin.descriptor.id))) }
            return .object([("id", .string(id)), ("shortDescription", .object([("text", .string(description))])),
                            ("properties", .object(properties))])
        }
        let run: JSONValue = .object([
            ("tool", .object([("driver", .object([("name", .string("crible")), ("version", .string(Engine.version)),
                                                   ("rules", .array(rules))]))])),
            ("invocations", .array([.object([("executionSuccessful", .bool(notifications.isEmpty)),
                                             ("toolExecutionNotifications", .array(notifications))])])),
            ("results", .array(results)),
            ("properties", .object([("rulesDigest", .string("sha256:\(engine.ruleSet.digest)"))])),
        ])
        return JSONValue.object([("$schema", .string("https://json.schemastore.org/sarif-2.1.0.json")), ("version", .string("2.1.0")),
                                 ("runs", .array([run]))]).serialized(pretty: true) + "\n"
    }
}
