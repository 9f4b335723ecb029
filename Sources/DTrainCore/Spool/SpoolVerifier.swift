import Foundation
import GitKit

/// Replays a spool's whole history and names the first commit that breaks a rule.
///
/// The rules: committed records are never changed or removed; each job's records follow the
/// state machine one step at a time; every ledger entry balances and keeps every account but
/// the outside world at or above zero; publishing reserves exactly the quoted price, and a job
/// that ends leaves its escrow empty; all balances sum to zero.
public struct SpoolVerifier {
    public struct Report: Codable, Sendable {
        public var commits = 0
        public var jobs = 0
        public var entries = 0
        public var total: Int64 = 0
        /// The first broken rule, or nil when the history is sound.
        public var violation: Violation?
    }

    public struct Violation: Codable, Sendable, Error {
        public var commit: String
        public var summary: String
        public var rule: String
    }

    private struct JobTrack {
        var owner: String
        var price: Int64
        var state: JobState?
        var seq = 0
    }

    let repository: Repository
    private var jobs: [String: JobTrack] = [:]
    private var ledger = LedgerState()
    /// The admins of the `spool.json` in force, who alone may credit.
    private var admins: Set<String> = []
    private var report = Report()

    public init(repository: Repository) {
        self.repository = repository
    }

    public mutating func run(tip: ObjectID) throws -> Report {
        for id in try repository.commits(from: tip, excluding: nil) {
            let info = try repository.commit(id)
            do {
                try check(info)
            } catch let failure as RuleBroken {
                report.violation = Violation(
                    commit: id.hex,
                    summary: info.message.split(separator: "\n").first.map(String.init) ?? "",
                    rule: failure.rule)
                return report
            }
            report.commits += 1
        }
        report.total = ledger.total
        if report.total != 0 {
            report.violation = Violation(
                commit: tip.hex, summary: "", rule: "balances sum to \(report.total), not zero")
        }
        return report
    }

    private struct RuleBroken: Error {
        var rule: String
    }

    private mutating func check(_ commit: CommitInfo) throws {
        let parentTree = try commit.parents.first.map { try repository.commit($0).tree }
        let paths = try repository.changedPaths(from: parentTree, to: commit.tree)
        var manifests: [JobManifest] = []
        var quotes: [String: Quote] = [:]
        var records: [StateRecord] = []
        var entries: [LedgerEntry] = []

        // Sort the commit's files; nothing committed may change once written.
        for path in paths {
            if let parentTree, try repository.entry(in: parentTree, path: path) != nil {
                guard path == SpoolLayout.configPath else {
                    throw RuleBroken(rule: "\(path) was changed or removed; records are immutable")
                }
            }
            guard let entry = try repository.entry(in: commit.tree, path: path) else { continue }
            let data = try repository.blob(entry.id)
            do {
                switch SpoolLayout.classify(path) {
                case .config:
                    let config = try CanonicalJSON.decode(SpoolConfig.self, from: data)
                    try config.validate()
                    ledger.split = config.split
                    admins = Set(config.admins)
                case .manifest:
                    manifests.append(try CanonicalJSON.decode(JobManifest.self, from: data))
                case .quote(let job):
                    quotes[job] = try CanonicalJSON.decode(Quote.self, from: data)
                case .state(_, let file):
                    let record = try CanonicalJSON.decode(StateRecord.self, from: data)
                    guard record.fileName == file,
                        SpoolLayout.stateDirectory(record.job) + "/" + file == path
                    else { throw RuleBroken(rule: "\(path) does not match its content") }
                    records.append(record)
                case .ledgerEntry(let id):
                    let ledgerEntry = try CanonicalJSON.decode(LedgerEntry.self, from: data)
                    guard ledgerEntry.id == id else {
                        throw RuleBroken(rule: "\(path) holds entry \(ledgerEntry.id)")
                    }
                    entries.append(ledgerEntry)
                case .workerRecord(let name):
                    try checkWorker(
                        CanonicalJSON.decode(WorkerRecord.self, from: data), at: path, name: name)
                case .other:
                    continue
                }
            } catch let broken as RuleBroken {
                throw broken
            } catch {
                throw RuleBroken(rule: "\(path) is malformed: \(error)")
            }
        }

        for manifest in manifests {
            guard jobs[manifest.id] == nil else {
                throw RuleBroken(rule: "job \(manifest.id) was created twice")
            }
            guard let quote = quotes[manifest.id] else {
                throw RuleBroken(rule: "job \(manifest.id) has no quote")
            }
            jobs[manifest.id] = JobTrack(owner: manifest.owner, price: quote.price)
            report.jobs += 1
        }
        try apply(entries)
        for record in records.sorted(by: { ($0.job, $0.seq) < ($1.job, $1.seq) }) {
            try follow(record, entries: entries)
        }
    }

    /// A registration is read by every `dtrain workers` and by schedulers deciding where
    /// jobs fit, so one that lies about whose it is or holds impossible figures is refused.
    private func checkWorker(_ record: WorkerRecord, at path: String, name: String) throws {
        guard Identifier.isValid(name), record.name == name else {
            throw RuleBroken(rule: "\(path) registers \(record.name), not \(name)")
        }
        guard record.cpus >= 0, record.cpus.isFinite, record.memoryBytes >= 0,
            record.minPrice >= 0
        else {
            throw RuleBroken(rule: "\(path) holds negative or impossible resources")
        }
    }

    /// Inflows first, so a commit that both credits and spends is judged as a whole.
    private mutating func apply(_ entries: [LedgerEntry]) throws {
        let order: [EntryKind] = [.credit, .release, .settle, .reserve, .payout]
        let sorted = entries.sorted {
            (order.firstIndex(of: $0.kind)!, $0.id) < (order.firstIndex(of: $1.kind)!, $1.id)
        }
        for entry in sorted {
            // Money enters only by an admin's credit, the one rule `LedgerState`
            // leaves to the spool.
            if entry.kind == .credit, !admins.contains(entry.by) {
                throw RuleBroken(
                    rule: "credit \(entry.id) was written by \(entry.by), who is not an admin")
            }
            do {
                try ledger.apply(entry)
            } catch {
                throw RuleBroken(rule: "ledger entry \(entry.id): \(error)")
            }
            report.entries += 1
        }
    }

    /// Checks one state record against the job's previous state and the ledger.
    private mutating func follow(_ record: StateRecord, entries: [LedgerEntry]) throws {
        guard var job = jobs[record.job] else {
            throw RuleBroken(rule: "state record for unknown job \(record.job)")
        }
        guard record.seq == job.seq + 1 else {
            throw RuleBroken(rule: "job \(record.job): record \(record.seq) after \(job.seq)")
        }
        if let state = job.state {
            guard state.canMove(to: record.state) else {
                throw RuleBroken(
                    rule: "job \(record.job): \(state.rawValue) → \(record.state.rawValue)")
            }
        } else if record.state != .draft {
            throw RuleBroken(rule: "job \(record.job) did not start as a draft")
        }

        let escrow = ledger.balance(.escrow(job: record.job))
        let expected: EntryKind? =
            switch (job.state, record.state) {
            case (_, .published) where job.state == .draft: .reserve
            case (.published?, .cancelled), (_, .failed), (_, .timedOut): .release
            case (_, .succeeded): .settle
            default: nil
            }
        if let expected {
            guard entries.contains(where: { $0.kind == expected && $0.job == record.job }) else {
                throw RuleBroken(
                    rule: "job \(record.job) became \(record.state.rawValue) without its "
                        + "\(expected.rawValue) entry")
            }
        }
        if record.state == .published, job.state == .draft, escrow != job.price {
            throw RuleBroken(
                rule: "job \(record.job) reserved \(escrow), but its quote says \(job.price)")
        }
        if record.state.isFinal, escrow != 0 {
            throw RuleBroken(rule: "job \(record.job) ended with \(escrow) left in escrow")
        }
        job.state = record.state
        job.seq = record.seq
        jobs[record.job] = job
    }
}
