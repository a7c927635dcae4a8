import CribleCore

/// Turns batch results into the text of one output format. One reporter per file; each has a
/// golden-output test.
public protocol Reporter: Sendable {
    /// The name given to `--format`.
    static var identifier: String { get }
    func report(_ items: [BatchItem]) -> String
}

public enum Reporters {
    public static let identifiers = [TextReporter.identifier, JSONReporter.identifier, JSONLinesReporter.identifier,
                                     SARIFReporter.identifier, JUnitReporter.identifier, GitHubReporter.identifier,
                                     SummaryReporter.identifier]

    public static func reporter(named name: String, engine: Engine, colors: Bool = false, failOn: Action? = .block) -> (any Reporter)? {
        switch name {
        case TextReporter.identifier: TextReporter(engine: engine, colors: colors)
        case JSONReporter.identifier: JSONReporter(engine: engine)
        case JSONLinesReporter.identifier: JSONLinesReporter(engine: engine)
        case SARIFReporter.identifier: SARIFReporter(engine: engine)
        case JUnitReporter.identifier: JUnitReporter(failOn: failOn)
        case GitHubReporter.identifier: GitHubReporter()
        case SummaryReporter.identifier: SummaryReporter()
        default: nil
        }
    }
}
