import CribleCore
@testable import CribleEngine
import XCTest

final class BenchmarkTests: XCTestCase {
    /// The two workloads alternate A B, B A, A B…, so that a drift in the machine's speed weighs
    /// on both alike; each gets every repetition and one warm-up.
    func testPairedRunsAlternateAndCountEveryRepetition() {
        var order: [Character] = []
        let benchmark = Benchmark(repetitions: 4, warmups: 1)
        let (a, b, ratio) = benchmark.measurePair("a", { order.append("a") }, "b", { order.append("b") }, bytes: 10)
        XCTAssertEqual(String(order), "ab" + "ab" + "ba" + "ab" + "ba")
        XCTAssertEqual(a.seconds.count, 4)
        XCTAssertEqual(b.seconds.count, 4)
        XCTAssertEqual(a.name, "a")
        XCTAssertEqual(b.bytes, 10)
        XCTAssertTrue(ratio.isFinite && ratio > 0)
    }

    /// The ratio is the median of the pairs' own ratios: A sleeps 20 ms in its first two runs
    /// and not in its third, B sleeps 1 ms each time, so two pairs of three say A is well over
    /// twice as slow.
    func testRatioIsTheMedianOfEachPairsRatio() {
        var calls = 0
        let benchmark = Benchmark(repetitions: 3, warmups: 0)
        let (_, _, ratio) = benchmark.measurePair("a", {
            calls += 1
            if calls <= 2 { usleep(20_000) }
        }, "b", { usleep(1_000) }, bytes: 1)
        XCTAssertGreaterThan(ratio, 2)
    }

    /// Several workloads run in turn in each repetition, in order then in reverse, so that their
    /// times line up by repetition; the ratio of two is the median of those lined up.
    func testInterleavedRunsTakeTurnsAndLineUp() {
        var order: [Character] = []
        let benchmark = Benchmark(repetitions: 3, warmups: 1)
        let measured = benchmark.measureInterleaved([
            ("a", { order.append("a") }), ("b", { order.append("b") }), ("c", { order.append("c") }),
        ], bytes: 5)
        XCTAssertEqual(String(order), "abc" + "abc" + "cba" + "abc")
        XCTAssertEqual(measured.map(\.name), ["a", "b", "c"])
        XCTAssertEqual(measured.map(\.seconds.count), [3, 3, 3])
        let a = Benchmark.Measurement(name: "a", seconds: [4, 9, 1], bytes: 1)
        let b = Benchmark.Measurement(name: "b", seconds: [2, 3, 1], bytes: 1)
        XCTAssertEqual(Benchmark.medianRatio(a, b), 2)  // ratios 2, 3, 1
    }

    /// A scaling measurement runs the workload on one job and on `jobs` in the same rounds as
    /// the host reference, and names what it timed after the workload.
    func testScalingRunsTheWorkloadOnOneJobAndOnAllInTheSameRounds() {
        var calls: [Int] = []
        let benchmark = Benchmark(repetitions: 3, warmups: 1)
        let scaling = benchmark.measureScaling("work", jobs: 3, bytes: 7, reference: HostReference(), referenceIterations: 1_000) { jobs in
            calls.append(jobs)
        }
        XCTAssertEqual(calls, [1, 3] + [1, 3] + [3, 1] + [1, 3])
        XCTAssertEqual(scaling.one.name, "work, 1 job")
        XCTAssertEqual(scaling.many.name, "work, 3 jobs")
        XCTAssertEqual(scaling.many.seconds.count, 3)
        XCTAssertEqual(scaling.one.bytes, 7)
        XCTAssertTrue(scaling.speedUp > 0 && scaling.hostSpeedUp > 0)
    }

    /// The host reference splits its steps over the threads, each thread from its own seed, and
    /// its calibration asks for about the time it is given. (An optimised build without
    /// `HostReference.keep` moved the calibration's work out of the timed stretch and asked for hours
    /// of work; the tests' build does not optimise, so this checks the arithmetic, not that.)
    func testHostReferenceSplitsItsWorkAndLastsAsAsked() {
        let reference = HostReference()
        XCTAssertEqual(reference.run(iterations: 1_000, jobs: 1), reference.steps(1_000, seed: 1))
        XCTAssertEqual(reference.run(iterations: 1_000, jobs: 2), reference.steps(500, seed: 1) ^ reference.steps(500, seed: 2))
        let iterations = reference.iterations(lasting: 0.05)
        let seconds = Benchmark.seconds { reference.run(iterations: iterations, jobs: 1) }
        XCTAssertGreaterThan(seconds, 0.01, "\(iterations) steps")
        XCTAssertLessThan(seconds, 5, "\(iterations) steps")
    }

    /// The sentiment-alone workload scores each document as the whole pipeline does (its own walk
    /// of the lexicon, the language declared or identified), so that what it times is that work.
    func testSentimentAloneScoresWhatThePipelineScores() {
        let documents = [
            Document(id: "fr", body: "Ce film est magnifique, vraiment excellent ! Mais la fin déçoit un peu."),
            Document(id: "en", body: "The service was terrible and the staff were rude. Never again."),
            Document(id: "declared", body: "Une réussite, bravo à toute l'équipe.", language: "fr"),
            Document(id: "neutral", body: "Le conseil municipal se réunit mardi à 18 heures."),
        ]
        let pipeline = documents.map { bundledEngine.classify($0).sentiment.score }
        XCTAssertTrue(pipeline.contains { $0 > 0.3 } && pipeline.contains { $0 < -0.3 }, "\(pipeline)")
        XCTAssertEqual(Benchmark.scoreSentiment(bundledEngine, in: documents), pipeline.reduce(0, +), accuracy: 1e-9)
        for (document, score) in zip(documents, pipeline) {
            XCTAssertEqual(Benchmark.scoreSentiment(bundledEngine, in: [document]), score, accuracy: 1e-9, document.id)
        }
    }
}
