import CribleCore

/// A growing buffer of bytes that the JSON writers append to.
///
/// Not an `[UInt8]`: a JSON line is written in some hundred small pieces per span (keys, commas,
/// digits), and each append to an array checks that its storage is unique and large enough, and
/// calls a generic copy. Here a piece reserves its room once and is stored through a pointer; a
/// verdict's line (about eight times the size of its text) is then copied out once.
struct JSONOutput: ~Copyable {
    private var start: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 1024) {
        self.capacity = Swift.max(capacity, 16)
        start = .allocate(capacity: self.capacity)
    }

    deinit { start.deallocate() }

    /// Makes room for `extra` more bytes.
    @inline(__always)
    mutating func reserve(_ extra: Int) {
        if count &+ extra > capacity { grow(toHold: count + extra) }
    }

    @inline(never)
    private mutating func grow(toHold needed: Int) {
        let newCapacity = Swift.max(capacity * 2, needed)
        let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        larger.update(from: start, count: count)
        start.deallocate()
        start = larger
        capacity = newCapacity
    }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        reserve(1)
        start[count] = byte
        count &+= 1
    }

    @inline(__always)
    mutating func append(_ first: UInt8, _ second: UInt8) {
        reserve(2)
        start[count] = first
        start[count &+ 1] = second
        count &+= 2
    }

    @inline(__always)
    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        append(from: source, count: bytes.count)
    }

    /// Copies `length` bytes from `source`. Most pieces are keys and short words: up to sixteen
    /// bytes are moved as two overlapping eight-byte words, without a call to `memcpy`.
    @inline(__always)
    mutating func append(from source: UnsafeRawPointer, count length: Int) {
        reserve(length)
        let target = UnsafeMutableRawPointer(start + count)
        if length >= 8, length <= 16 {
            let head = source.loadUnaligned(as: UInt64.self)
            let tail = source.loadUnaligned(fromByteOffset: length &- 8, as: UInt64.self)
            target.storeBytes(of: head, as: UInt64.self)
            target.storeBytes(of: tail, toByteOffset: length &- 8, as: UInt64.self)
        } else if length >= 4, length < 8 {
            let head = source.loadUnaligned(as: UInt32.self)
            let tail = source.loadUnaligned(fromByteOffset: length &- 4, as: UInt32.self)
            target.storeBytes(of: head, as: UInt32.self)
            target.storeBytes(of: tail, toByteOffset: length &- 4, as: UInt32.self)
        } else if length < 4 {
            for index in 0..<length { target.storeBytes(of: source.load(fromByteOffset: index, as: UInt8.self), toByteOffset: index, as: UInt8.self) }
        } else {
            target.copyMemory(from: source, byteCount: length)
        }
        count &+= length
    }

    /// Writes `"name":`: the name is plain ASCII needing no escape (the schema's own keys).
    @inline(__always)
    mutating func appendKey(_ name: StaticString) {
        guard name.hasPointerRepresentation else {
            append(0x22)
            name.withUTF8Buffer { append($0) }
            append(0x22, 0x3A)
            return
        }
        let length = name.utf8CodeUnitCount
        reserve(length + 3)
        start[count] = 0x22
        count &+= 1
        append(from: UnsafeRawPointer(name.utf8Start), count: length)
        start[count] = 0x22
        start[count &+ 1] = 0x3A
        count &+= 2
    }

    /// The decimal digits of `value`, two at a time from a table, written in place.
    @inline(__always)
    mutating func appendDecimal(_ value: Int) {
        reserve(21)
        if value < 0 {
            start[count] = 0x2D
            count &+= 1
        }
        var magnitude = value.magnitude
        var length = 1
        var bound: UInt = 10
        while magnitude >= bound, length < 19 {
            length &+= 1
            bound = bound &* 10
        }
        if length == 19, magnitude >= 10_000_000_000_000_000_000 { length = 20 }
        var position = count &+ length
        let pairs = JSONOutput.digitPairs.utf8Start
        while magnitude >= 100 {
            let pair = Int(truncatingIfNeeded: magnitude % 100) &* 2
            magnitude /= 100
            position &-= 2
            start[position] = pairs[pair]
            start[position &+ 1] = pairs[pair &+ 1]
        }
        if magnitude >= 10 {
            let pair = Int(truncatingIfNeeded: magnitude) &* 2
            position &-= 2
            start[position] = pairs[pair]
            start[position &+ 1] = pairs[pair &+ 1]
        } else {
            position &-= 1
            start[position] = 0x30 &+ UInt8(truncatingIfNeeded: magnitude)
        }
        count &+= length
    }

    /// "00", "01", … "99", laid end to end: a constant in the binary, read through its address
    /// without the lazy-initialisation check of a global array.
    private static var digitPairs: StaticString { "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899" }

    @inline(__always)
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        append(UnsafeRawBufferPointer(bytes))
    }

    mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { append($0) }
    }

    /// Appends again the bytes already written at `range`.
    mutating func appendCopy(of range: Range<Int>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "a copy of bytes not written")
        reserve(range.count)
        (start + count).update(from: start + range.lowerBound, count: range.count)
        count &+= range.count
    }

    var bytes: [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { target, initialized in
            target.baseAddress?.update(from: start, count: count)
            initialized = count
        }
    }
    var string: String { String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self) }
}

/// Where the bytes written for each span are, so a span met again is copied instead of written
/// again: open addressing over the span's bounds, which a general dictionary had hashed with
/// SipHash at every span of every verdict.
struct RecordedSpans {
    /// Four integers a slot: span start (`Int.min` when empty), span end, and the output range.
    private var slots: [Int]
    private var mask: Int
    private var used = 0

    init(capacity: Int = 64) {
        var size = 16
        while size < capacity * 2 { size *= 2 }
        slots = Array(repeating: Int.min, count: size * 4)
        mask = size - 1
    }

    @inline(__always)
    private func slot(of key: Range<Int>) -> Int {
        let mixed = UInt64(bitPattern: Int64(key.lowerBound)) &* 0x9E37_79B9_7F4A_7C15
            ^ UInt64(bitPattern: Int64(key.upperBound)) &* 0xC2B2_AE3D_27D4_EB4F
        return Int(truncatingIfNeeded: mixed >> 32) & mask
    }

    func output(of key: Range<Int>) -> Range<Int>? {
        var index = slot(of: key)
        while true {
            let base = index * 4
            let lower = slots[base]
            if lower == Int.min { return nil }
            if lower == key.lowerBound, slots[base + 1] == key.upperBound { return slots[base + 2]..<slots[base + 3] }
            index = (index + 1) & mask
        }
    }

    mutating func record(_ key: Range<Int>, output: Range<Int>) {
        if (used + 1) * 2 > mask + 1 { rehash() }
        var index = slot(of: key)
        while true {
            let base = index * 4
            let lower = slots[base]
            if lower == Int.min { used += 1; break }
            if lower == key.lowerBound, slots[base + 1] == key.upperBound { break }
            index = (index + 1) & mask
        }
        let base = index * 4
        slots[base] = key.lowerBound
        slots[base + 1] = key.upperBound
        slots[base + 2] = output.lowerBound
        slots[base + 3] = output.upperBound
    }

    private mutating func rehash() {
        let old = slots
        self = RecordedSpans(capacity: mask + 1)
        for base in stride(from: 0, to: old.count, by: 4) where old[base] != Int.min {
            record(old[base]..<old[base + 1], output: old[base + 2]..<old[base + 3])
        }
    }
}
