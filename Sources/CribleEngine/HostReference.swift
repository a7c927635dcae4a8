import CribleCore
import Dispatch

/// What the machine itself gives several threads at a given moment: arithmetic on registers
/// alone (multiplies and shifts on four independent values, several instructions a cycle as the
/// pipeline's work runs, no memory read or written), split evenly over the threads. Its
/// speed-up from one thread to several is the most any program can get at that moment; timed
/// beside the pipeline's, it tells a virtual machine whose cores are lent to other guests from a
/// program that scales badly.
///
/// It does not see what neighbours take of the shared cache and the memory bus. A second kind
/// that also read a random word of a shared 8 MB table at each step was tried and left out: on
/// two threads it gave 1.7–2.5× one, above two in most runs, so it bounds nothing.
public struct HostReference: Sendable {
    public init() {}

    /// `iterations` steps in all, split evenly over `jobs` threads. Returns a value computed from
    /// every step, so that none of them can be left out.
    public func run(iterations: Int, jobs: Int) -> UInt64 {
        let jobs = max(1, jobs)
        let share = max(1, iterations / jobs)
        guard jobs > 1 else { return HostReference.keep(steps(share, seed: HostReference.keep(1))) }
        let results = IndexedResults<UInt64>(count: jobs, placeholder: 0)
        DispatchQueue.concurrentPerform(iterations: jobs) { job in
            results.set(job, steps(share, seed: HostReference.keep(UInt64(job + 1))))
        }
        return HostReference.keep(results.values().reduce(0, ^))
    }

    /// The number of steps one thread runs in `duration` seconds, measured now (the least time
    /// of three short runs).
    public func iterations(lasting duration: Double) -> Int {
        let probe = 1 << 22
        let fastest = (0..<3).map { _ in Benchmark.seconds { HostReference.keep(steps(probe, seed: HostReference.keep(7))) } }.min() ?? 1
        return max(probe, Int(Double(probe) * duration / max(fastest, 1e-9)))
    }

    /// `value`, through a function the optimiser may not look into. A computation that touches no
    /// memory may otherwise be dropped when its result is unused, or moved out of the stretch
    /// between the two readings of the clock; fed and drained through this, it stays inside.
    @inline(never) @_optimize(none)
    static func keep(_ value: UInt64) -> UInt64 { value }

    /// `count` rounds of a multiply and a shift on each of four independent states: the
    /// processor runs the four chains side by side, several instructions a cycle, as it does
    /// the pipeline's work.
    func steps(_ count: Int, seed: UInt64) -> UInt64 {
        var a = seed, b = seed &+ 1, c = seed &+ 2, d = seed &+ 3
        for _ in 0..<count {
            a = a &* 0x5851_F42D_4C95_7F2D &+ 0x1405_7B7E_F767_814F
            b = b &* 0x5851_F42D_4C95_7F2D &+ 0x1405_7B7E_F767_814F
            c = c &* 0x5851_F42D_4C95_7F2D &+ 0x1405_7B7E_F767_814F
            d = d &* 0x5851_F42D_4C95_7F2D &+ 0x1405_7B7E_F767_814F
            a ^= a &>> 29
            b ^= b &>> 29
            c ^= c &>> 29
            d ^= d &>> 29
        }
        return a ^ b ^ c ^ d
    }
}
