import CribleCore

/// GitHub Actions workflow commands: `::error` for `block`, `::warning` for `review`, placed on the
/// file and line so they show in the pull request's diff.
public struct GitHubReporter: Reporter {
    public static let identifier = "github"

    public init() {}

    public func report(_ items: [BatchItem]) -> String {
        var lines: [String] = []
        for item in items {
            switch item {
            case .failure(let failure):
                var properties: [String] = []
                if let file = failure.file { properties.append("file=\(escapeProperty(file))") }
                if let line = failure.line { properties.append("line=\(line)") }
                if let column = failure.column { properties.append("col=\(column)") }
                properties.append("title=unreadable input")
                lines.append("::error \(properties.joined(separator: ","))::\(escapeData(failure.message))")
            case .verdict(let verdict):
                for finding in Finding.findings(in: verdict) {
                    var properties: [String] = []
                    if let file = finding.file { properties.append("file=\(escapeProperty(file))") }
                    if let line = finding.line { properties.append("line=\(line)") }
                    if let column = finding.column { properties.append("col=\(column)") }
                    if let line = finding.endLine { properties.append("endLine=\(line)") }
                    if let column = finding.endColumn { properties.append("endColumn=\(column)") }
                    properties.append("title=\(escapeProperty("\(finding.label) (\(finding.evidence.ruleID))"))")
                    lines.append("::\(finding.action == .block ? "error" : "warning") \(properties.joined(separator: ","))::\(escapeData(finding.message))")
                }
            }
        }
        return lines.map { $0 + "\n" }.joined()
    }

    /// The escapes GitHub's workflow-command parser expects.
    func escapeData(_ text: String) -> String {
        text.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D").replacingOccurrences(of: "\n", with: "%0A")
    }

    func escapeProperty(_ text: String) -> String {
        escapeData(text).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }
}
