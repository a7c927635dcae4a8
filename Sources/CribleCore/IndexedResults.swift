import Foundation

/// Results by index, filled from several threads and read once they have all finished
/// (parsed files, lexicons built while the rules compile, the host reference's threads).
public final class IndexedResults<Value>: @unchecked Sendable {
    private var slots: [Value]
    private let lock = NSLock()

    public init(count: Int, placeholder: Value) { slots = Array(repeating: placeholder, count: count) }

    public func set(_ index: Int, _ value: Value) {
        lock.lock()
        slots[index] = value
        lock.unlock()
    }

    public func values() -> [Value] { lock.lock(); defer { lock.unlock() }; return slots }
}
