import ArchiveKit
import Foundation
import Testing

@testable import DTrainCore

@Suite("Quotes")
struct QuoteTests {
    /// A package validated from a real ZIP, as `dtrain submit` would make it.
    static func package(_ entries: [(String, String)]) throws -> JobPackage {
        let scratch = try ZipScratch()
        defer { scratch.remove() }
        try PackageValidatorTests.makeZip(scratch.file("job.zip"), entries)
        return try PackageValidator.validate(
            zipAt: scratch.file("job.zip"), mainScript: "train.py",
            limits: SpoolConfig.standard.limits)
    }

    static func scorer(printing body: String, in scratch: ZipScratch) throws -> SecondScorer {
        SecondScorer(
            command: [try SecondScorerTests.script(body, in: scratch)], timeoutSeconds: 5)
    }

    static let torchJob = [
        ("proj/train.py", "import torch\nn_samples = 100_000\n"),
        ("proj/requirements.txt", "torch==2.1\n-i https://example.invalid/simple\n"),
    ]

    @Test("the rule score picks the tier, price and 80/20 split")
    func ruleOnly() throws {
        let quote = try Quote.make(
            package: Self.package(Self.torchJob), config: .standard, secondScorer: nil)
        #expect(quote.signals.map(\.name) == ["pytorch", "large-dataset"])
        #expect(quote.ruleScore == 70)
        #expect(quote.secondScore == nil)
        #expect(quote.secondScoreNote == "no second scorer is configured")
        #expect(quote.finalScore == 70)
        #expect(quote.tier == Quote.Tier(minScore: 61, maxScore: 70))
        #expect(quote.price == 10_000)
        #expect(quote.workerShare == 8_000 && quote.platformFee == 2_000)
        #expect(quote.currency == "INR")
        #expect(quote.warnings == ["requirements.txt:2: pip option '-i' ignored"])
    }

    @Test("a higher second score raises the price; a lower one changes nothing")
    func secondScore() throws {
        let scratch = try ZipScratch()
        defer { scratch.remove() }
        let package = try Self.package(Self.torchJob)
        let raised = try Quote.make(
            package: package, config: .standard,
            secondScorer: Self.scorer(printing: "cat >/dev/null; echo 95", in: scratch))
        #expect(raised.secondScore == 95 && raised.secondScoreNote == nil)
        #expect(raised.finalScore == 95 && raised.price == 40_000)
        #expect(raised.tier == Quote.Tier(minScore: 94, maxScore: 97))

        let lower = try Quote.make(
            package: package, config: .standard,
            secondScorer: Self.scorer(printing: "echo 10", in: scratch))
        #expect(lower.secondScore == 10 && lower.finalScore == 70)
    }

    @Test("a failing second scorer leaves the rule price and says why")
    func failingSecond() throws {
        let scratch = try ZipScratch()
        defer { scratch.remove() }
        let quote = try Quote.make(
            package: Self.package(Self.torchJob), config: .standard,
            secondScorer: Self.scorer(printing: "echo nonsense", in: scratch))
        #expect(quote.secondScore == nil)
        #expect(quote.secondScoreNote?.contains("'nonsense'") == true)
        #expect(quote.finalScore == 70)
    }

    @Test("a -r include that escapes the ZIP refuses the quote")
    func escapingInclude() throws {
        let package = try Self.package([
            ("train.py", ""), ("requirements.txt", "-r ../../secrets.txt\n"),
        ])
        #expect(
            throws: RequirementsError.includeEscapes(
                file: "requirements.txt", line: 1, target: "../../secrets.txt")
        ) {
            try Quote.make(package: package, config: .standard, secondScorer: nil)
        }
    }

    @Test("a quote survives canonical JSON unchanged")
    func codable() throws {
        let quote = try Quote.make(
            package: Self.package(Self.torchJob), config: .standard, secondScorer: nil)
        let data = try CanonicalJSON.encode(quote)
        #expect(try CanonicalJSON.decode(Quote.self, from: data) == quote)
        #expect(String(decoding: data, as: UTF8.self).contains("\"ruleScore\" : 70"))
    }

    @Test("a job with no signals costs the lowest tier")
    func plainJob() throws {
        let quote = try Quote.make(
            package: Self.package([("train.py", "print('hello')\n")]), config: .standard,
            secondScorer: nil)
        #expect(quote.finalScore == 0 && quote.price == 1_000 && quote.signals.isEmpty)
    }
}
