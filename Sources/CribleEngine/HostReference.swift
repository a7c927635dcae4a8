import CribleCore
import Dispatch

/// What the machine itself gives several threads at a given moment: work split evenly over
/// them, sharing nothing they write. Its speed-up from one thread to several is the most a
/// program of that kind can get at that moment; timed beside the pipeline's, it tells a busy host
/// from a program that scales badly.
///
/// Two kinds, because a virtual machine's neighbours take two things from it: ``registers``
/// (multiplies and shifts, no memory) is slowed only when the cores themselves are lent to other
/// guests; ``tableReads`` (the same steps, each also reading a random word of a table of 8 MB
/// that every thread shares, read-only, as the jobs share the rules' tables) is slowed too when
/// other guests fill the shared cache or the memory bus.
public struct HostReference: Sendable {
    public enum Kind: Sendable { case registers, tableReads }
    public let kind: Kind
    private let table: [UInt64]

    public init(_ kind: Kind) {
        self.kind = kind
        // 2^20 words: four times a core's second-level cache, a quarter of the shared third.
        table = kind == .registers ? [] : (0..<(1 << 20)).map { UInt64($0) &* 0x9E37_79B9_7F4A_7C15 }
    }

    /// `iterations` steps in all, split evenly over `jobs` threads. Returns a value computed from
    /// every step, so that none of them can be left out.
    public func run(iterations: Int, jobs: Int) -> UInt64 {
        let jobs = max(1, jobs)
        let share = max(1, iterations / jobs)
        guard jobs > 1 else { return Benchmark.keep(steps(share, seed: Benchmark.keep(1))) }
        let results = IndexedResults<UInt64>(count: jobs, placeholder: 0)
        DispatchQueue.concurrentPerform(iterations: jobs) { job in
            results.set(job, steps(share, seed: Benchmark.keep(UInt64(job + 1))))
        }
        return Benchmark.keep(results.values().reduce(0, ^))
    }

    /// The number of steps one thread runs in `duration` seconds, measured now (the least time
    /// of three short runs).
    public func iterations(lasting duration: Double) -> Int {
        let probe = 1 << 22
        let fastest = (0..<3).map { _ in Benchmark.seconds { Benchmark.keep(steps(probe, seed: Benchmark.keep(7))) } }.min() ?? 1
        return max(probe, Int(Double(probe) * duration / max(fastest, 1e-9)))
    }

    /// `count` rounds of a multiply and a shift, each depending on the one before, and with a
    /// table, a read at the position the round gives (the reads do not feed the rounds, so
    /// several are in flight at once, as a walk's lookups are).
    func steps(_ count: Int, seed: UInt64) -> UInt64 {
        table.withUnsafeBufferPointer { table in
            var state = seed, sum: UInt64 = 0
            let mask = UInt64(max(table.count, 1) - 1)
            if table.isEmpty {
                for _ in 0..<count {
                    state = state &* 0x5851_F42D_4C95_7F2D &+ 0x1405_7B7E_F767_814F
                    state ^= state &>> 29
                }
            } else {
                for _ in 0..<count {
                    state = state &* 0x5851_F42D_4C95_7F2D &+ 0x1405_7B7E_F767_814F
                    state ^= state &>> 29
                    sum &+= table[Int(truncatingIfNeeded: state & mask)]
                }
            }
            return state ^ sum
        }
    }
}
