/// Sixteen bytes of text compared at once: the byte scans' unit of work.
///
/// Swift's `SIMD16<UInt8>` compiles comparisons (`.==`, `.<`), arithmetic and bitwise operations
/// to single vector instructions (SSE2 on x86-64, NEON on ARM). What it compiles lane by lane is
/// the step from a comparison's mask back to the integer world — `any(_:)`,
/// `replacing(with:where:)` — so the scans never call those: they read a mask as two 64-bit
/// halves (``ByteVectorMask/laneBits``), which is two moves, and find or count the marked bytes
/// with bit operations on those.
///
/// Eight bytes at a time in a 64-bit word, as the scans went before, a range test took some
/// fifteen operations; here it takes three for sixteen bytes.
public typealias ByteVector = SIMD16<UInt8>

/// One lane per byte of a ``ByteVector``: all ones where a comparison held.
public typealias ByteVectorMask = SIMDMask<SIMD16<Int8>>

extension SIMDMask where Storage == SIMD16<Int8> {
    /// The top bit of each marked byte, lanes 0–7 in `low` and 8–15 in `high`, both
    /// little-endian: lane `n` of a half is bit `8n + 7`.
    @inlinable @inline(__always)
    public var laneBits: (low: UInt64, high: UInt64) {
        let halves = unsafeBitCast(self, to: (UInt64, UInt64).self)
        return (halves.0 & 0x8080_8080_8080_8080, halves.1 & 0x8080_8080_8080_8080)
    }

    /// The first marked lane, or `nil` when none is.
    @inlinable @inline(__always)
    public var firstMarkedLane: Int? {
        let (low, high) = laneBits
        if low != 0 { return low.trailingZeroBitCount &>> 3 }
        if high != 0 { return 8 &+ high.trailingZeroBitCount &>> 3 }
        return nil
    }

    /// How many lanes are marked: each half's top bits moved down to one per byte, the halves
    /// added (at most 2 a byte), and the bytes summed by one multiplication into the top byte.
    /// Two population counts were two dozen operations on the baseline x86-64 target, which
    /// has no instruction for it.
    @inlinable @inline(__always)
    public var markedLaneCount: Int {
        let (low, high) = laneBits
        let perByte = (low &>> 7) &+ (high &>> 7)
        return Int(truncatingIfNeeded: (perByte &* 0x0101_0101_0101_0101) &>> 56)
    }

    /// One bit per lane, lane `n` in bit `n`: the multiplication gathers the top bit of each
    /// byte of a half into its top byte, where no two products overlap.
    @inlinable @inline(__always)
    public var packedBits: UInt16 {
        let (low, high) = laneBits
        let gather: UInt64 = 0x0002_0408_1020_4081
        return UInt16(truncatingIfNeeded: (low &* gather) &>> 56) | UInt16(truncatingIfNeeded: (high &* gather) &>> 56) &<< 8
    }

    /// Calls `body` with each marked lane, in increasing order, until it returns `false`;
    /// returns whether it went through them all.
    @inlinable @inline(__always)
    public func forEachMarkedLane(_ body: (Int) -> Bool) -> Bool {
        var (low, high) = laneBits
        while low != 0 {
            guard body(low.trailingZeroBitCount &>> 3) else { return false }
            low &= low &- 1
        }
        while high != 0 {
            guard body(8 &+ high.trailingZeroBitCount &>> 3) else { return false }
            high &= high &- 1
        }
        return true
    }
}

extension SIMD16 where Scalar == UInt8 {
    /// The lanes within `range` (an unsigned comparison of the distance from its lower bound).
    @inlinable @inline(__always)
    public func lanes(in range: ClosedRange<UInt8>) -> ByteVectorMask {
        lanes(from: range.lowerBound, within: range.upperBound &- range.lowerBound)
    }

    /// The lanes from `lower` to `lower + width` (wrapping past 0xFF never arises for a range):
    /// ``lanes(in:)`` for a range kept as its start and width, as a byte set's runs are.
    @inlinable @inline(__always)
    public func lanes(from lower: UInt8, within width: UInt8) -> ByteVectorMask {
        (self &- ByteVector(repeating: lower)) .<= ByteVector(repeating: width)
    }

    /// The lanes holding an ASCII letter (either case).
    @inlinable @inline(__always)
    public var asciiLetterLanes: ByteVectorMask {
        ((self | ByteVector(repeating: 0x20)) &- ByteVector(repeating: 0x61)) .< ByteVector(repeating: 26)
    }

    /// The lanes holding `. ! ?` or a line feed: the bytes that can end a sentence (the
    /// sentiment analyzer's sentences, readability's count of them).
    @inlinable @inline(__always)
    public var sentenceEndLanes: ByteVectorMask {
        (self .== ByteVector(repeating: 0x2E)) .| (self .== ByteVector(repeating: 0x21)) .| (self .== ByteVector(repeating: 0x3F))
            .| (self .== ByteVector(repeating: 0x0A))
    }

    /// The lanes holding a byte of 0x80 or more (UTF-8 beyond ASCII).
    @inlinable @inline(__always)
    public var nonASCIILanes: ByteVectorMask {
        unsafeBitCast(self, to: SIMD16<Int8>.self) .< SIMD16<Int8>(repeating: 0)
    }
}

extension UnsafeRawPointer {
    /// The sixteen bytes at `offset`, at any alignment.
    @inlinable @inline(__always)
    public func loadByteVector(fromByteOffset offset: Int) -> ByteVector {
        loadUnaligned(fromByteOffset: offset, as: ByteVector.self)
    }
}

extension UnsafeBufferPointer where Element == UInt8 {
    /// The sixteen bytes from `offset`, zeros for those past the end: a scan reads its last,
    /// partial block like the others, with no loop of its own that would state each class a
    /// second time, byte by byte. Its classes must not hold the zero byte, or it must go through
    /// ``firstIndex(from:markingBlockAt:)``, which reports a mark past the end as none.
    @inlinable @inline(__always)
    public func zeroPaddedVector(at offset: Int) -> ByteVector {
        guard let base = baseAddress else { return ByteVector(repeating: 0) }
        if offset + 16 <= count { return UnsafeRawPointer(base).loadByteVector(fromByteOffset: offset) }
        // Copied into sixteen zero bytes and read as a vector: written lane by lane, a vector was
        // rebuilt at each byte.
        var padded = (UInt64(0), UInt64(0))
        let available = Swift.max(0, Swift.min(16, count - offset))
        if available > 0 {
            withUnsafeMutableBytes(of: &padded) { $0.copyMemory(from: UnsafeRawBufferPointer(start: base + offset, count: available)) }
        }
        return unsafeBitCast(padded, to: ByteVector.self)
    }
}

