import Dispatch
import Foundation

/// Where classification time goes, per rule and per stage, for `crible classify --profile`:
/// the way to find the one slow regex among hundreds of rules (YARA-X does the same).
///
/// Shared by every task of a batch, so it locks; it is only created when asked for.
public final class Profiler: @unchecked Sendable {
    public struct Entry: Sendable {
        public var name: String
        public var nanoseconds: UInt64
        public var calls: Int
    }

    private let lock = NSLock()
    private var entries: [String: Entry] = [:]

    public init() {}

    /// Runs `work`, adding its duration to `name`.
    @inline(__always)
    public func measure<T>(_ name: @autoclosure () -> String, _ work: () throws -> T) rethrows -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        let result = try work()
        add(name(), DispatchTime.now().uptimeNanoseconds - start)
        return result
    }

    public func add(_ name: String, _ nanoseconds: UInt64) {
        lock.lock()
        defer { lock.unlock() }
        var entry = entries[name] ?? Entry(name: name, nanoseconds: 0, calls: 0)
        entry.nanoseconds += nanoseconds
        entry.calls += 1
        entries[name] = entry
    }

    /// Entries, slowest first.
    public var ranked: [Entry] {
        lock.lock()
        defer { lock.unlock() }
        return entries.values.sorted { $0.nanoseconds > $1.nanoseconds }
    }

    public func report(top: Int = 20) -> String {
        let all = ranked
        let total = all.filter { $0.name.hasPrefix("stage:") }.reduce(UInt64(0)) { $0 + $1.nanoseconds }
        var lines = ["profile: time per stage and per rule (all tasks added up)"]
        for entry in all.prefix(top) {
            let share = total > 0 ? Double(entry.nanoseconds) * 100 / Double(total) : 0
            lines.append(String(format: "%10.1f ms %5.1f%%  %8d calls  %@", Double(entry.nanoseconds) / 1e6, share, entry.calls, entry.name))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
