import CribleCore

/// One line per input: its verdict, or `{"id": …, "error": …}` when it could not be read.
public struct JSONLinesReporter: Reporter {
    public static let identifier = "jsonl"
    let encoder: VerdictEncoder

    public init(engine: Engine) { encoder = VerdictEncoder(engine: engine) }

    public func line(for item: BatchItem) -> String {
        switch item {
        case .verdict(let verdict): encoder.line(verdict)
        case .failure(let failure): encoder.encode(failure).serialized()
        }
    }

    /// The line as bytes, with its line feed, for output.
    public func lineBytes(for item: BatchItem) -> [UInt8] {
        switch item {
        case .verdict(let verdict): encoder.lineBytes(verdict)
        case .failure(let failure): Array((encoder.encode(failure).serialized() + "\n").utf8)
        }
    }

    public func report(_ items: [BatchItem]) -> String {
        items.map { line(for: $0) + "\n" }.joined()
    }
}
