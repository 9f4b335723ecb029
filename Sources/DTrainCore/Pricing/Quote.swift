/// The price of a job, with every reason behind it, fixed at submission.
///
/// It is committed with the job, so a worker settling the job later pays out
/// exactly what the submitter was shown, whatever the scorers say by then.
public struct Quote: Codable, Sendable, Equatable {
    /// The score band the final score fell in.
    public struct Tier: Codable, Sendable, Equatable {
        public var minScore: Int
        public var maxScore: Int

        public init(minScore: Int, maxScore: Int) {
            self.minScore = minScore
            self.maxScore = maxScore
        }
    }

    public var signals: [Signal]
    /// Requirements lines skipped (pip options, URLs, unreadable lines).
    public var warnings: [String]
    public var ruleScore: Int
    public var secondScore: Int?
    /// Why there is no second score; nil when there is one.
    public var secondScoreNote: String?
    /// `max(ruleScore, secondScore)`.
    public var finalScore: Int
    public var tier: Tier
    /// In minor units of `currency`.
    public var price: Int64
    public var workerShare: Int64
    public var platformFee: Int64
    /// ISO 4217 code from the spool's settings.
    public var currency: String

    public init(
        signals: [Signal], warnings: [String], ruleScore: Int, secondScore: Int?,
        secondScoreNote: String?, finalScore: Int, tier: Tier, price: Int64,
        workerShare: Int64, platformFee: Int64, currency: String
    ) {
        self.signals = signals
        self.warnings = warnings
        self.ruleScore = ruleScore
        self.secondScore = secondScore
        self.secondScoreNote = secondScoreNote
        self.finalScore = finalScore
        self.tier = tier
        self.price = price
        self.workerShare = workerShare
        self.platformFee = platformFee
        self.currency = currency
    }

    /// Prices a validated package. Throws only when a `-r` include escapes the
    /// ZIP, is missing or loops: then the job's dependencies are unknown and it
    /// is refused. A failing second scorer never fails the quote.
    public static func make(
        package: JobPackage, config: SpoolConfig, secondScorer: SecondScorer?
    ) throws(RequirementsError) -> Quote {
        // The rule score from requirements and the main script.
        let parsed = try RequirementsParser.parse(
            entryFiles: package.requirementEntryFiles, files: package.requirements)
        let (signals, ruleScore) = RuleScorer.score(
            requirements: parsed.requirements, mainSource: package.mainSource,
            mainPath: package.mainScript)

        // The second opinion, which can only raise the score.
        var secondScore: Int?
        var secondScoreNote: String? = "no second scorer is configured"
        if let secondScorer {
            let outcome = secondScorer.score(
                requirements: package.requirements, mainScript: package.mainSource,
                mainPath: package.mainScript)
            switch outcome {
            case .score(let value): (secondScore, secondScoreNote) = (value, nil)
            case .unavailable(let reason): secondScoreNote = reason
            }
        }
        let finalScore = max(ruleScore, secondScore ?? 0)

        // Tier, price and split, all from the spool's shared settings.
        // `SpoolConfig.validate()` guarantees a tier for every score 0...100;
        // the fallbacks only keep an invalid config from crashing.
        let band = config.tiers.first { $0.minScore <= finalScore && finalScore <= $0.maxScore }
        let price = band?.price ?? 0
        let (workerShare, platformFee) = config.split.divide(price)
        return Quote(
            signals: signals, warnings: parsed.warnings, ruleScore: ruleScore,
            secondScore: secondScore, secondScoreNote: secondScoreNote, finalScore: finalScore,
            tier: Tier(
                minScore: band?.minScore ?? finalScore, maxScore: band?.maxScore ?? finalScore),
            price: price, workerShare: workerShare, platformFee: platformFee,
            currency: config.currency.code)
    }
}
