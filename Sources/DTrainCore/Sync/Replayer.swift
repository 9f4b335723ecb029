import Foundation
import GitKit

/// Re-applies local commits on top of a newer remote tip, checking each one again.
///
/// A commit is one operation (submit, publish, cancel, a claim, a settlement): it is replayed
/// whole or dropped whole, so a publish never arrives without its reserve. Because records are
/// immutable files at deterministic paths, replaying a commit whose files are already on the
/// new tip changes nothing, and a record that another clone wrote first shows up as a path that
/// is already taken.
struct Replayer {
    let spool: Spool
    var repository: Repository { spool.repository }

    struct Outcome {
        var tip: ObjectID
        var dropped: [DroppedChange]
    }

    struct Refusal: Error {
        var reason: String
    }

    func replay(_ commits: [ObjectID], onto base: ObjectID) throws -> Outcome {
        // Settings the remote cannot be read with (a hand-edited spool.json) are
        // nobody's local change's fault: stop here and keep every local commit
        // pending, rather than drop them all as refused.
        _ = try SpoolSnapshot(repository: repository, commit: base).config()

        var tip = base
        var dropped: [DroppedChange] = []
        for id in commits {
            let commit = try repository.commit(id)
            do {
                if let next = try replay(commit, onto: tip) { tip = next }
            } catch let refusal as Refusal {
                dropped.append(
                    DroppedChange(
                        commit: id.hex,
                        summary: commit.message.split(separator: "\n").first.map(String.init)
                            ?? "", reason: refusal.reason))
            }
        }
        return Outcome(tip: tip, dropped: dropped)
    }

    /// The commit rebuilt on `base`, nil when all of it is there already.
    private func replay(_ commit: CommitInfo, onto base: ObjectID) throws -> ObjectID? {
        let snapshot = try SpoolSnapshot(repository: repository, commit: base)
        let parentTree = try commit.parents.first.map { try repository.commit($0).tree }
        var changes: [TreeChange] = []
        var records: [StateRecord] = []
        var entries: [LedgerEntry] = []
        var newJobs: [String: JobManifest] = [:]

        for path in try repository.changedPaths(from: parentTree, to: commit.tree) {
            guard let entry = try repository.entry(in: commit.tree, path: path) else {
                throw Refusal(reason: "it removes \(path)")
            }
            if let existing = try repository.entry(in: snapshot.tree, path: path) {
                if existing.id == entry.id { continue }
                throw Refusal(reason: Self.takenReason(path))
            }
            changes.append(.upsert(path: path, blob: entry.id))
            let data = try repository.blob(entry.id)
            switch SpoolLayout.classify(path) {
            case .manifest(let job):
                newJobs[job] = try CanonicalJSON.decode(JobManifest.self, from: data)
            case .state:
                records.append(try CanonicalJSON.decode(StateRecord.self, from: data))
            case .ledgerEntry:
                entries.append(try CanonicalJSON.decode(LedgerEntry.self, from: data))
            case .config, .quote, .workerRecord, .other:
                continue
            }
        }
        guard !changes.isEmpty else { return nil }

        // The state machine, against the job as the new tip has it.
        var owners: [String: String] = newJobs.mapValues(\.owner)
        for record in records.sorted(by: { ($0.job, $0.seq) < ($1.job, $1.seq) }) {
            if newJobs[record.job] != nil, record.seq == 1, record.state == .draft { continue }
            guard let job = try snapshot.job(record.job) else {
                throw Refusal(reason: "job \(record.job) does not exist on the remote")
            }
            owners[record.job] = job.manifest.owner
            guard job.seq + 1 == record.seq, job.state.canMove(to: record.state) else {
                throw Refusal(
                    reason: "job \(record.job) is now \(job.state.rawValue) on the remote, "
                        + "so it cannot become \(record.state.rawValue)")
            }
        }

        // The ledger, against the balances as the new tip has them.
        do {
            try spool.checkLedger(entries, at: snapshot, reservations: owners)
        } catch let error as DTrainError {
            throw Refusal(reason: error.description)
        }

        let tree = try repository.updateTree(snapshot.tree, changes)
        return try repository.createCommit(
            tree: tree, parents: [base], message: commit.message,
            author: Signature(
                name: commit.authorName, email: commit.authorEmail, time: commit.time))
    }

    static func takenReason(_ path: String) -> String {
        switch SpoolLayout.classify(path) {
        case .state(let job, _):
            "job \(job) was moved on by someone else first"
        case .ledgerEntry(let id):
            "ledger entry \(id) was already written differently"
        default:
            "\(path) was already written differently"
        }
    }
}
