import CribleCore
import CribleRules
import Dispatch
import Foundation

/// Throughput of the engine on a batch, measured the way `docs/PERFORMANCE.md` reports it:
/// warm-up runs first, then repeated runs, and medians — these machines are noisy.
public struct Benchmark: Sendable {
    public struct Measurement: Sendable {
        public var name: String
        public var seconds: [Double]
        public var bytes: Int
        public var median: Double { seconds.sorted()[seconds.count / 2] }
        public var megabytesPerSecond: Double { Double(bytes) / 1_000_000 / median }
    }

    public var repetitions: Int
    public var warmups: Int

    public init(repetitions: Int = 5, warmups: Int = 1) {
        self.repetitions = max(1, repetitions)
        self.warmups = max(0, warmups)
    }

    public func measure(_ name: String, bytes: Int, _ work: () -> Void) -> Measurement {
        for _ in 0..<warmups { work() }
        var seconds: [Double] = []
        for _ in 0..<repetitions {
            let start = DispatchTime.now().uptimeNanoseconds
            work()
            seconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return Measurement(name: name, seconds: seconds, bytes: bytes)
    }

    /// Documents of about `documentSize` bytes cut from `text` at paragraph breaks, repeated until
    /// `totalBytes` is reached.
    public static func documents(from text: String, totalBytes: Int, documentSize: Int = 3_000) -> [Document] {
        let paragraphs = text.components(separatedBy: "\n\n").filter { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
        var pieces: [String] = []
        var current = ""
        for paragraph in paragraphs {
            current += paragraph + "\n\n"
            if current.utf8.count >= documentSize { pieces.append(current); current = "" }
        }
        if !current.isEmpty { pieces.append(current) }
        guard !pieces.isEmpty else { return [] }
        var documents: [Document] = []
        var size = 0
        while size < totalBytes {
            let body = pieces[documents.count % pieces.count]
            documents.append(Document(id: "bench-\(documents.count)", body: body))
            size += body.utf8.count
        }
        return documents
    }
}
