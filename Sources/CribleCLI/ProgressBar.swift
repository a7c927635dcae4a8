import Dispatch
import Foundation

/// Documents done, rate and time left, on one line of standard error — only when standard error
/// is a terminal and the batch is long enough to be worth it; silent in CI logs and pipes.
final class ProgressBar: @unchecked Sendable {
    private let total: Int
    private let start = DispatchTime.now().uptimeNanoseconds
    private var lastDraw: UInt64 = 0
    private var drawn = false
    private let lock = NSLock()

    /// `nil` when no bar should be shown.
    init?(total: Int, minimum: Int = 200) {
        guard total >= minimum, isatty(2) == 1, ProcessInfo.processInfo.environment["CI"] == nil else { return nil }
        self.total = total
    }

    func update(done: Int) {
        lock.lock()
        defer { lock.unlock() }
        let now = DispatchTime.now().uptimeNanoseconds
        guard now - lastDraw > 100_000_000 || done == total else { return }
        lastDraw = now
        let seconds = Double(now - start) / 1e9
        let rate = seconds > 0 ? Double(done) / seconds : 0
        let remaining = rate > 0 ? Double(total - done) / rate : 0
        let width = 30
        let filled = total > 0 ? width * done / total : width
        let bar = String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled)
        let line = String(format: "\r[%@] %d/%d documents, %.0f/s, %d:%02d left ", bar, done, total, rate,
                          Int(remaining) / 60, Int(remaining) % 60)
        FileHandle.standardError.write(Data(line.utf8))
        drawn = true
    }

    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
