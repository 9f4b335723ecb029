import Foundation

/// The spool's shared settings, committed once as `spool.json` in the spool's first commit.
///
/// Everyone who clones the spool reads the same prices, limits and split from here, so a quote
/// made on a laptop and a settlement made on a worker agree. Amounts are integer minor units.
public struct SpoolConfig: Codable, Sendable, Equatable {
    /// Bumped when the on-disk format changes incompatibly; readers refuse newer versions.
    public var formatVersion: Int
    public var currency: Currency
    /// Score bands mapped to prices; contiguous, covering 0...100 (checked by `validate()`).
    public var tiers: [PriceTier]
    public var split: Split
    /// How long a claim may go unrenewed, as seen by an observer's own clock, before a reap.
    public var leaseSeconds: Int
    /// How many times a job whose lease lapsed is put back in the queue before it fails.
    public var retryLimit: Int
    public var limits: Limits
    public var defaultImage: String
    /// Users who may credit accounts and change the spool's settings.
    public var admins: [String]

    public static let currentFormatVersion = 1

    public struct Currency: Codable, Sendable, Equatable {
        /// ISO 4217 code, e.g. `INR`.
        public var code: String
        /// Minor units in one major unit (100 paise in a rupee).
        public var minorPerMajor: Int64

        public init(code: String, minorPerMajor: Int64) {
            self.code = code
            self.minorPerMajor = minorPerMajor
        }

        /// `1250` → `INR 12.50`.
        public func format(_ minor: Int64) -> String {
            let sign = minor < 0 ? "-" : ""
            let magnitude = minor.magnitude
            let per = UInt64(minorPerMajor)
            let digits = String(per - 1).count
            guard per > 1 else { return "\(code) \(sign)\(magnitude)" }
            let fraction = String(magnitude % per)
            let padded = String(repeating: "0", count: max(0, digits - fraction.count)) + fraction
            return "\(code) \(sign)\(magnitude / per).\(padded)"
        }
    }

    public struct PriceTier: Codable, Sendable, Equatable {
        public var minScore: Int
        public var maxScore: Int
        /// Price in minor units.
        public var price: Int64

        public init(minScore: Int, maxScore: Int, price: Int64) {
            self.minScore = minScore
            self.maxScore = maxScore
            self.price = price
        }
    }

    /// How a settled price is divided. The worker gets `workerPercent` rounded down to the
    /// minor unit; the platform gets the rest, so no minor unit is ever lost or invented.
    public struct Split: Codable, Sendable, Equatable {
        public var workerPercent: Int
        public var platformPercent: Int

        public init(workerPercent: Int, platformPercent: Int) {
            self.workerPercent = workerPercent
            self.platformPercent = platformPercent
        }

        /// Returns (worker share, platform fee) for a price; they always sum to the price.
        public func divide(_ price: Int64) -> (worker: Int64, platform: Int64) {
            let worker = price * Int64(workerPercent) / 100
            return (worker, price - worker)
        }
    }

    public struct Limits: Codable, Sendable, Equatable {
        /// Largest ZIP accepted, in bytes, as stored.
        public var maxZipBytes: Int64
        /// Largest total of the bytes the ZIP's entries really inflate to.
        public var maxUncompressedBytes: Int64
        public var maxEntries: Int
        /// Largest output archive a job may return.
        public var maxOutputBytes: Int64
        /// A job's log keeps its head and tail within this many bytes.
        public var maxLogBytes: Int64

        public init(
            maxZipBytes: Int64, maxUncompressedBytes: Int64, maxEntries: Int,
            maxOutputBytes: Int64, maxLogBytes: Int64
        ) {
            self.maxZipBytes = maxZipBytes
            self.maxUncompressedBytes = maxUncompressedBytes
            self.maxEntries = maxEntries
            self.maxOutputBytes = maxOutputBytes
            self.maxLogBytes = maxLogBytes
        }
    }

    /// The settings `dtrain init` writes unless told otherwise.
    public static let standard = SpoolConfig(
        formatVersion: currentFormatVersion,
        currency: Currency(code: "INR", minorPerMajor: 100),
        tiers: [
            (0, 10, 10), (11, 20, 20), (21, 30, 30), (31, 40, 40), (41, 50, 50), (51, 60, 75),
            (61, 70, 100), (71, 80, 150), (81, 88, 200), (89, 93, 300), (94, 97, 400),
            (98, 100, 500),
        ].map { PriceTier(minScore: $0.0, maxScore: $0.1, price: Int64($0.2) * 100) },
        split: Split(workerPercent: 80, platformPercent: 20),
        leaseSeconds: 300,
        retryLimit: 3,
        limits: Limits(
            maxZipBytes: 50 << 20, maxUncompressedBytes: 200 << 20, maxEntries: 10_000,
            maxOutputBytes: 100 << 20, maxLogBytes: 4 << 20),
        defaultImage: "dtrain/python:bookworm",
        admins: ["admin"])

    public init(
        formatVersion: Int, currency: Currency, tiers: [PriceTier], split: Split,
        leaseSeconds: Int, retryLimit: Int, limits: Limits, defaultImage: String,
        admins: [String]
    ) {
        self.formatVersion = formatVersion
        self.currency = currency
        self.tiers = tiers
        self.split = split
        self.leaseSeconds = leaseSeconds
        self.retryLimit = retryLimit
        self.limits = limits
        self.defaultImage = defaultImage
        self.admins = admins
    }

    /// The price of a final score, from the tier ladder.
    public func price(forScore score: Int) -> Int64? {
        tiers.first { $0.minScore <= score && score <= $0.maxScore }?.price
    }

    /// Checks what a hand-edited or hostile `spool.json` could get wrong.
    public func validate() throws(SpoolConfigError) {
        guard formatVersion == Self.currentFormatVersion else {
            throw .unsupportedVersion(formatVersion)
        }
        guard split.workerPercent >= 0, split.platformPercent >= 0,
            split.workerPercent + split.platformPercent == 100
        else { throw .invalid("split must be two non-negative percentages summing to 100") }
        var next = 0
        for tier in tiers {
            guard tier.minScore == next, tier.maxScore >= tier.minScore, tier.price > 0 else {
                throw .invalid("price tiers must be contiguous from 0, got \(tier.minScore)")
            }
            next = tier.maxScore + 1
        }
        guard next == 101 else { throw .invalid("price tiers must end at score 100") }
        guard currency.minorPerMajor >= 1 else { throw .invalid("currency minor units < 1") }
        guard leaseSeconds > 0, retryLimit >= 0 else {
            throw .invalid("lease must be positive and retry limit non-negative")
        }
        guard ImageReference.isValid(defaultImage) else {
            throw .invalid("defaultImage '\(defaultImage)' is not a Docker image name")
        }
    }
}

public enum SpoolConfigError: DTrainError {
    case unsupportedVersion(Int)
    case invalid(String)

    public var exitStatus: ExitStatus { .rejected }

    public var description: String {
        switch self {
        case .unsupportedVersion(let version):
            "spool format version \(version) is not supported by this dtrain "
                + "(it reads version \(SpoolConfig.currentFormatVersion)); upgrade dtrain"
        case .invalid(let why): "invalid spool.json: \(why)"
        }
    }
}
