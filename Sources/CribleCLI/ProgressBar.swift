import Dispatch
import Foundation

/// Documents done, rate and time left, on one line of standard error — only when standard error
/// is a terminal and the batch is long enough to be worth it; silent in CI logs and pipes. When
/// the number of documents is not known in advance (files and streams read as the batch goes),
/// it counts documents and shows the rate, from the first second on.
final class ProgressBar: @unchecked Sendable {
    private let total: Int?
    private let start = DispatchTime.now().uptimeNanoseconds
    private var lastDraw: UInt64 = 0
    private var drawn = false
    private let lock = NSLock()

    /// `nil` when no bar should be shown.
    init?(total: Int?, minimum: Int = 200) {
        guard total.map({ $0 >= minimum }) ?? true, isatty(2) == 1, ProcessInfo.processInfo.environment["CI"] == nil else { return nil }
        self.total = total
    }

    func update(done: Int) {
        lock.lock()
        defer { lock.unlock() }
        let now = DispatchTime.now().uptimeNanoseconds
        guard now - lastDraw > 100_000_000 || done == total else { return }
        let seconds = Double(now - start) / 1e9
        let rate = seconds > 0 ? Double(done) / seconds : 0
        let line: String
        if let total {
            let remaining = rate > 0 ? Double(total - done) / rate : 0
            let width = 30
            let filled = total > 0 ? width * done / total : width
            let bar = String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled)
            line = String(format: "\r[%@] %d/%d documents, %.0f/s, %d:%02d left ", bar, done, total, rate,
                          Int(remaining) / 60, Int(remaining) % 60)
        } else {
            // A short run would only flash the line.
            guard seconds >= 1 else { return }
            line = String(format: "\r%d documents, %.0f/s ", done, rate)
        }
        lastDraw = now
        FileHandle.standardError.write(Data(line.utf8))
        drawn = true
    }

    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
