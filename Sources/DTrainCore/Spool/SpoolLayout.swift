import Foundation

/// Where every file and ref of a spool lives (format version 1; see `spool/README.md`).
///
/// Job and ledger directories are sharded by the last two characters of their random ids, so
/// a commit rewrites only the few small trees on its own path however many jobs there are.
public enum SpoolLayout {
    /// The branch every clone fetches: configuration, job records, the ledger.
    public static let mainRef = "refs/heads/main"
    /// One ref per job holding its ZIP, so fetching `main` never downloads payloads.
    public static let payloadRefPrefix = "refs/dtrain/payloads/"
    public static let configPath = "spool.json"

    public static func payloadRef(job: String) -> String { payloadRefPrefix + job }

    public static func shard(of id: String) -> String {
        String(id.suffix(2))
    }

    public static func jobDirectory(_ job: String) -> String {
        "jobs/\(shard(of: job))/\(job)"
    }

    public static func manifestPath(_ job: String) -> String {
        jobDirectory(job) + "/manifest.json"
    }

    public static func quotePath(_ job: String) -> String {
        jobDirectory(job) + "/quote.json"
    }

    /// The ZIP's path inside the payload ref's tree (the same directory as its records).
    public static func payloadPath(_ job: String) -> String {
        jobDirectory(job) + "/job.zip"
    }

    public static func stateDirectory(_ job: String) -> String {
        jobDirectory(job) + "/state"
    }

    /// `NN-state.json`: the sequence number makes two competing transitions from the same
    /// state collide on one path, which is how a stale writer is detected.
    public static func statePath(_ job: String, seq: Int, state: JobState) -> String {
        stateDirectory(job) + "/" + stateFileName(seq: seq, state: state)
    }

    public static func stateFileName(seq: Int, state: JobState) -> String {
        String(format: "%02d-", seq) + state.rawValue + ".json"
    }

    public static func ledgerPath(entry id: String) -> String {
        "ledger/\(shard(of: id))/\(id).json"
    }

    /// What kind of file a path of the committed tree is, for the index and the verifier.
    public enum Item: Equatable, Sendable {
        case config
        case manifest(job: String)
        case quote(job: String)
        case state(job: String, file: String)
        case ledgerEntry(id: String)
        /// `workers/<name>/<time>.json`: one registration of worker `name`.
        case workerRecord(name: String)
        case other
    }

    public static func classify(_ path: String) -> Item {
        if path == configPath { return .config }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if parts.count == 4, parts[0] == "jobs", parts[2].hasSuffix(parts[1]) {
            switch parts[3] {
            case "manifest.json": return .manifest(job: parts[2])
            case "quote.json": return .quote(job: parts[2])
            default: return .other
            }
        }
        if parts.count == 5, parts[0] == "jobs", parts[3] == "state", parts[4].hasSuffix(".json") {
            return .state(job: parts[2], file: parts[4])
        }
        if parts.count == 3, parts[0] == "ledger", parts[2].hasSuffix(".json") {
            return .ledgerEntry(id: String(parts[2].dropLast(5)))
        }
        if parts.count == 3, parts[0] == "workers", parts[2].hasSuffix(".json") {
            return .workerRecord(name: parts[1])
        }
        return .other
    }
}

/// Random, time-ordered ids for jobs and one-off ledger entries.
public enum Identifier {
    /// Crockford-style base32 without look-alike letters, lower case for paths and typing.
    static let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz")

    /// `20261203-145512-k3f9x2`: sorts by creation time, 30 random bits against collisions.
    public static func make(at date: Date = Date()) -> String {
        var generator = SystemRandomNumberGenerator()
        return make(at: date, using: &generator)
    }

    public static func make<G: RandomNumberGenerator>(at date: Date, using generator: inout G)
        -> String
    {
        let stamp = Timestamp.compact(date)
        let random = (0..<6).map { _ in alphabet[Int.random(in: 0..<32, using: &generator)] }
        return stamp + "-" + String(random)
    }

    /// Whether a string may be used as an id in a path: no separators, no dots at the start.
    public static func isValid(_ id: String) -> Bool {
        guard (1...80).contains(id.count), id.first != ".", id.first != "-" else { return false }
        return id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
    }
}
