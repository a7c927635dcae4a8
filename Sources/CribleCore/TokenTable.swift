/// A read-mostly hash table keyed by token hashes (already mixed 64-bit values), with open
/// addressing and linear probing: a lookup is a multiply, a shift and usually one comparison,
/// where `Dictionary` would hash the hash again with SipHash.
///
/// A slot's key and value sit side by side (an empty slot is one without a value), so a probe
/// touches one cache line rather than several arrays.
///
/// Inlinable: the phrase matcher and the plugins look tokens up in their hottest loops, and a
/// generic call across modules would not be specialised.
public struct TokenTable<Value: Sendable>: Sendable {
    @usableFromInline
    struct Slot: Sendable {
        @usableFromInline var key: UInt64
        @usableFromInline var value: Value?

        @inlinable init(key: UInt64, value: Value?) {
            self.key = key
            self.value = value
        }
    }

    @usableFromInline var slots: [Slot]
    @usableFromInline var shift: UInt64
    @usableFromInline var storedCount = 0
    public var count: Int { storedCount }

    @inlinable
    public init(capacity: Int = 16) {
        let size = TokenTable.size(for: capacity)
        slots = Array(repeating: Slot(key: 0, value: nil), count: size)
        shift = UInt64(64 - size.trailingZeroBitCount)
    }

    /// A power of two at least twice `capacity`: the table stays at most half full.
    @inlinable
    static func size(for capacity: Int) -> Int {
        var size = 16
        while size < capacity * 2 { size *= 2 }
        return size
    }

    @inlinable @inline(__always)
    func slot(_ key: UInt64) -> Int { Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) &>> shift) }

    @inlinable @inline(__always)
    public subscript(key: UInt64) -> Value? {
        slots.withUnsafeBufferPointer { slots in
            var index = slot(key)
            let mask = slots.count - 1
            while let value = slots[index].value {
                if slots[index].key == key { return value }
                index = (index + 1) & mask
            }
            return nil
        }
    }

    /// Inserts or replaces; `update` receives the current value (if any) and returns the new one.
    @inlinable
    public mutating func update(_ key: UInt64, _ update: (Value?) -> Value) {
        if (storedCount + 1) * 2 > slots.count { rehash(size: slots.count * 2) }
        var index = slot(key)
        let mask = slots.count - 1
        while let current = slots[index].value {
            if slots[index].key == key {
                slots[index].value = update(current)
                return
            }
            index = (index + 1) & mask
        }
        slots[index] = Slot(key: key, value: update(nil))
        storedCount += 1
    }

    /// Grows the table now for `count` more keys, instead of doubling it step by step.
    @inlinable
    public mutating func reserveCapacity(_ additional: Int) {
        let size = TokenTable.size(for: storedCount + additional)
        if size > slots.count { rehash(size: size) }
    }

    @inlinable
    mutating func rehash(size: Int) {
        let old = slots
        slots = Array(repeating: Slot(key: 0, value: nil), count: size)
        shift = UInt64(64 - size.trailingZeroBitCount)
        let mask = size - 1
        for entry in old {
            guard entry.value != nil else { continue }
            var index = slot(entry.key)
            while slots[index].value != nil { index = (index + 1) & mask }
            slots[index] = entry
        }
    }
}
