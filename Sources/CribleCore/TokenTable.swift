/// A read-mostly hash table keyed by token hashes (already 64-bit FNV values), with open
/// addressing and linear probing: a lookup is a multiply, a shift and usually one comparison,
/// where `Dictionary` would hash the hash again with SipHash.
public struct TokenTable<Value: Sendable>: Sendable {
    private var keys: [UInt64]
    private var values: [Value?]
    private var occupied: [Bool]
    private var shift: UInt64
    public private(set) var count = 0

    public init(capacity: Int = 16) {
        var size = 16
        while size < capacity * 2 { size *= 2 }
        keys = Array(repeating: 0, count: size)
        values = Array(repeating: nil, count: size)
        occupied = Array(repeating: false, count: size)
        shift = UInt64(64 - size.trailingZeroBitCount)
    }

    @inline(__always)
    private func slot(_ key: UInt64) -> Int { Int((key &* 0x9E37_79B9_7F4A_7C15) >> shift) }

    public subscript(key: UInt64) -> Value? {
        var index = slot(key)
        let mask = keys.count - 1
        while occupied[index] {
            if keys[index] == key { return values[index] }
            index = (index + 1) & mask
        }
        return nil
    }

    /// Inserts or replaces; `update` receives the current value (if any) and returns the new one.
    public mutating func update(_ key: UInt64, _ update: (Value?) -> Value) {
        if (count + 1) * 2 > keys.count { grow() }
        var index = slot(key)
        let mask = keys.count - 1
        while occupied[index] {
            if keys[index] == key {
                values[index] = update(values[index])
                return
            }
            index = (index + 1) & mask
        }
        occupied[index] = true
        keys[index] = key
        values[index] = update(nil)
        count += 1
    }

    private mutating func grow() {
        let old = zip(keys, zip(values, occupied)).filter { $0.1.1 }
        self = TokenTable(capacity: keys.count)
        for (key, (value, _)) in old { update(key) { _ in value! } }
    }
}
