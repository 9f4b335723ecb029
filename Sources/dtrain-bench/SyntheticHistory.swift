import DTrainCore
import Foundation
import GitKit

/// Writes the history of a big spool straight into a repository, in the
/// documented layout, because building 100,000 jobs through `submit` would take
/// hours.
///
/// Every job is a copy of one real submitted job (`template`) under a fresh id:
/// its manifest, the shared quote blob, `01-draft` and `02-published` records
/// and the `reserve-<job>` ledger entry, after one credit that pays for them
/// all. So the ledger balances and the index sees what a real spool of that
/// size holds. A `finished` history runs every job to `05-succeeded` (claimed,
/// running, settled) and gives each a results ref, as a worker leaves it. A
/// few thousand jobs go into each commit, with trees made by
/// `Repository.updateTree` (only the touched paths are rewritten).
struct SyntheticHistory {
    let repository: Repository
    let template: JobRecord
    /// The job ZIP's path, stored once as the blob every payload ref names.
    let zip: String
    var jobsPerCommit = 5_000

    struct Outcome {
        var jobs: [String]
        var objects: Int
        var payloadRefs: Int
        var resultRefs = 0
    }

    /// The worker every finished synthetic job ran on.
    static let worker = "w0"

    func build(jobs count: Int, payloadRefs: Bool, finished: Bool = false) throws -> Outcome {
        guard var tip = try repository.reference(SpoolLayout.mainRef) else {
            throw BenchFailure("the remote has no main to build on")
        }
        guard let quote = template.quote else { throw BenchFailure("the template has no quote") }
        let owner = template.manifest.owner
        let signature = try Actor.signature(owner)
        let quoteBlob = try repository.createBlob(CanonicalJSON.encode(quote))
        let zipBlob = try repository.createBlob(fromFile: zip)
        let logBlob = try repository.createBlob(Data("synthetic run\n".utf8))
        var outcome = Outcome(jobs: [], objects: 2, payloadRefs: 0)

        // One credit first, enough for every reserve that follows.
        let credit = LedgerEntry.credit(
            user: owner, amount: template.price * Int64(count) + 10_000_000, by: "admin",
            memo: "synthetic funds", at: Timestamp.iso(), id: "credit-" + Identifier.make())
        var changes = [try record(credit, at: SpoolLayout.ledgerPath(entry: credit.id))]
        var seen = Set<String>()
        let start = Date(timeIntervalSinceNow: -Double(count))

        for index in 0..<count {
            // A fresh id, one second apart, never reused.
            let date = start.addingTimeInterval(Double(index))
            var id = Identifier.make(at: date)
            while !seen.insert(id).inserted { id = Identifier.make(at: date) }
            outcome.jobs.append(id)
            changes += try jobChanges(id: id, at: date, quoteBlob: quoteBlob)
            outcome.objects += 4
            if payloadRefs {
                try writePayloadRef(job: id, zipBlob: zipBlob, signature: signature)
                outcome.objects += 4
                outcome.payloadRefs += 1
            }
            if finished {
                changes += try runChanges(id: id, at: date, logBlob: logBlob)
                outcome.objects += 8
                outcome.resultRefs += 1
            }

            // Commit a batch when it is full, and at the end.
            if (index + 1) % jobsPerCommit == 0 || index == count - 1 {
                let base = try repository.commit(tip).tree
                let tree = try repository.updateTree(base, changes)
                let commit = try repository.createCommit(
                    tree: tree, parents: [tip],
                    message: "Synthetic history: \(changes.count) records", author: signature)
                try repository.setReference(
                    SpoolLayout.mainRef, to: commit, expected: tip, message: "dtrain-bench")
                tip = commit
                outcome.objects += 1 + Self.treesTouched(by: changes)
                changes = []
            }
        }
        return outcome
    }

    /// The four records of a published job (the quote is one blob shared by
    /// all).
    private func jobChanges(id: String, at date: Date, quoteBlob: ObjectID) throws
        -> [TreeChange]
    {
        let owner = template.manifest.owner
        let time = Timestamp.iso(date)
        var manifest = template.manifest
        manifest.id = id
        manifest.createdAt = time
        manifest.payload.ref = SpoolLayout.payloadRef(job: id)
        let reserve = LedgerEntry.reserve(
            job: id, user: owner, price: template.price, by: owner, at: time)
        let draft = StateRecord(job: id, seq: 1, state: .draft, at: time, by: owner)
        let published = StateRecord(
            job: id, seq: 2, state: .published, at: time, by: owner, entry: reserve.id)
        return [
            try record(manifest, at: SpoolLayout.manifestPath(id)),
            .upsert(path: SpoolLayout.quotePath(id), blob: quoteBlob),
            try record(draft, at: SpoolLayout.statePath(id, seq: 1, state: .draft)),
            try record(published, at: SpoolLayout.statePath(id, seq: 2, state: .published)),
            try record(reserve, at: SpoolLayout.ledgerPath(entry: reserve.id)),
        ]
    }

    /// The three records and the settlement of a run that succeeded, and its
    /// results ref (a per-job `result.json` beside one shared log).
    private func runChanges(id: String, at date: Date, logBlob: ObjectID) throws
        -> [TreeChange]
    {
        let time = Timestamp.iso(date)
        let worker = Self.worker
        let settle = LedgerEntry.settle(
            job: id, worker: worker, price: template.price, split: SpoolConfig.standard.split,
            by: worker, at: time)
        let result = RunResult(
            job: id, attempt: 1, worker: worker, outcome: "succeeded", exitCode: 0, reason: nil,
            startedAt: time, endedAt: time, logTruncatedBytes: 0, outputFiles: 0,
            outputBytes: 0)
        let tree = try repository.updateTree(
            nil,
            [
                .upsert(
                    path: RunResult.fileName,
                    blob: try repository.createBlob(
                        CanonicalJSON.encode(result))),
                .upsert(path: RunResult.logName, blob: logBlob),
            ])
        let commit = try repository.createCommit(
            tree: tree, parents: [], message: "Result of job \(id), attempt 1: succeeded",
            author: Actor.signature(worker))
        let ref = Spool.resultRef(job: id, attempt: 1)
        try repository.setReference(ref, to: commit, expected: nil, message: "dtrain-bench")
        let records = [
            StateRecord(
                job: id, seq: 3, state: .claimed, at: time, by: worker, worker: worker,
                attempt: 1),
            StateRecord(
                job: id, seq: 4, state: .running, at: time, by: worker, worker: worker,
                attempt: 1),
            StateRecord(
                job: id, seq: 5, state: .succeeded, at: time, by: worker, worker: worker,
                attempt: 1, entry: settle.id, result: ref),
        ]
        return try records.map {
            try record($0, at: SpoolLayout.statePath(id, seq: $0.seq, state: $0.state))
        } + [try record(settle, at: SpoolLayout.ledgerPath(entry: settle.id))]
    }

    /// The job's own payload ref, as `submit` makes it: a parentless commit
    /// holding the ZIP.
    private func writePayloadRef(job: String, zipBlob: ObjectID, signature: Signature) throws {
        let tree = try repository.updateTree(
            nil, [.upsert(path: SpoolLayout.payloadPath(job), blob: zipBlob)])
        let commit = try repository.createCommit(
            tree: tree, parents: [], message: "Payload of job \(job)", author: signature)
        try repository.setReference(
            SpoolLayout.payloadRef(job: job), to: commit, expected: nil, message: "dtrain-bench")
    }

    private func record<T: Encodable>(_ value: T, at path: String) throws -> TreeChange {
        .upsert(path: path, blob: try repository.createBlob(CanonicalJSON.encode(value)))
    }

    /// Directories on the paths of `changes`: the trees one commit rewrites.
    private static func treesTouched(by changes: [TreeChange]) -> Int {
        var directories = Set([""])
        for change in changes {
            var parts = change.path.split(separator: "/").dropLast()
            while !parts.isEmpty {
                directories.insert(parts.joined(separator: "/"))
                parts = parts.dropLast()
            }
        }
        return directories.count
    }
}
