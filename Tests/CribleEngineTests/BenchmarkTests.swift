import CribleCore
import CribleEngine
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
