import Foundation
import GitKit
import Testing

@testable import DTrainCore

/// Folding finished jobs' payload and results refs into monthly archive refs, over a real
/// bare remote, with jobs finished through the worker's own core calls (no Docker).
@Suite("Folding finished jobs into archive refs", .serialized)
struct FoldTests {
    /// The trees a job's payload and results refs hold in `spool`, by archive path.
    static func trees(of job: String, in spool: Spool) throws -> [String: ObjectID] {
        var trees: [String: ObjectID] = [:]
        let refs = try spool.repository.references(glob: "refs/dtrain/*/\(job)*")
        for (ref, _) in refs {
            guard let (_, path) = SpoolLayout.archivePath(of: ref) else { continue }
            trees[path] = try spool.localTree(ref)
        }
        return trees
    }

    /// What a reader gets for a job: result, log, outputs and the ZIP.
    static func stored(_ job: String, in spool: Spool) throws -> [Data?] {
        let record = try spool.snapshot().requireJob(job)
        let (result, log, output) = try #require(try spool.readResult(of: record))
        return [try CanonicalJSON.encode(result), log, output, try spool.readPayload(of: record)]
    }

    @Test("final jobs are folded; live ones keep their refs; readers find the same bytes")
    func foldsFinalJobs() throws {
        let shared = try SharedSpool(label: "fold")
        let (worker, done) = try shared.finishJobs(2)
        let live = try shared.publishJobs(2, as: "bob")
        let runner = try shared.clone("w2")
        _ = try #require(try runner.claim(job: live[1], worker: "w2"))
        try runner.markRunning(job: live[1], worker: "w2")
        let before = try done.map { try Self.stored($0, in: worker) }
        let trees = try done.map { try Self.trees(of: $0, in: worker) }
        #expect(trees.allSatisfy { $0.count == 2 })

        let report = try shared.admin.collectGarbage(olderThan: 0, actor: "admin")
        #expect(report.folded.map(\.job) == done, "in the order they ended")
        #expect(report.folded.allSatisfy { $0.refs.allSatisfy { $0.outcome == .deleted } })
        #expect(report.folded.allSatisfy { $0.deleted.count == 2 })
        #expect(report.remaining == 0)

        // Only the live jobs keep refs; the month's archive holds the very same trees.
        #expect(try shared.remoteRefNames("refs/dtrain/results").isEmpty)
        #expect(
            try shared.remoteRefNames("refs/dtrain/payloads")
                == live.sorted().map { SpoolLayout.payloadRef(job: $0) })
        let month = try #require(try worker.snapshot().requireJob(done[0]).archiveMonth)
        let archive = SpoolLayout.archiveRef(month: month)
        #expect(try shared.remoteRefNames("refs/dtrain/archive") == [archive])
        let archived = try Spool.clone(
            url: shared.remote, into: shared.directory.file("fresh"), user: "carol")
        for (job, expected) in zip(done, trees) {
            for (path, tree) in expected {
                try archived.fetchFromRemote(archive)
                #expect(try archived.archivedTree(path, in: archive) == tree, "\(job) \(path)")
            }
        }

        // A fresh clone reads everything back from the archive, byte for byte.
        for (job, bytes) in zip(done, before) {
            #expect(try Self.stored(job, in: archived) == bytes)
        }

        // A second run finds nothing to do and writes nothing.
        let tip = try shared.remoteRefNames("refs/dtrain/archive")
        #expect(try shared.admin.collectGarbage(olderThan: 0, actor: "admin").folded.isEmpty)
        #expect(try shared.remoteRefNames("refs/dtrain/archive") == tip)
        #expect(try shared.fsck().status == 0)
        #expect(try shared.verifyRemote().violation == nil)
    }

    @Test("only jobs final for longer than the grace period are folded; the limit bounds a run")
    func graceAndLimit() throws {
        let shared = try SharedSpool(label: "fold-grace")
        let (worker, jobs) = try shared.finishJobs(3)
        let ended = try jobs.map { try #require(try worker.snapshot().requireJob($0).endedAt) }
        #expect(ended[0] < ended[2])

        // "Now" is when the last job ended: the first two ended longer ago than the grace.
        let grace = ended[2].timeIntervalSince(ended[1]) / 2
        let first = try shared.admin.collectGarbage(
            olderThan: grace, limit: 1, actor: "admin", now: ended[2])
        #expect(first.folded.map(\.job) == [jobs[0]])
        #expect(first.remaining == 1)
        let second = try shared.admin.collectGarbage(
            olderThan: grace, actor: "admin", now: ended[2])
        #expect(second.folded.map(\.job) == [jobs[1]])
        #expect(second.remaining == 0)
        #expect(
            try shared.remoteRefNames("refs/dtrain/payloads")
                == [SpoolLayout.payloadRef(job: jobs[2])])
        #expect(
            try shared.remoteRefNames("refs/dtrain/results")
                == [Spool.resultRef(job: jobs[2], attempt: 1)])

        // The default week keeps a job that just ended.
        #expect(try shared.admin.collectGarbage(actor: "admin").folded.isEmpty)
    }

    @Test("a crash after the archive push and before the deletes loses nothing")
    func crashBetweenPushAndDelete() throws {
        let shared = try SharedSpool(label: "fold-crash")
        let (worker, jobs) = try shared.finishJobs(2)
        let month = try #require(try worker.snapshot().requireJob(jobs[0]).archiveMonth)
        let archive = SpoolLayout.archiveRef(month: month)

        // What a gc that died right after its archive push left: the archive holds both
        // jobs, and every ref is still on the remote.
        let changes = try jobs.flatMap { job in
            try Self.trees(of: job, in: worker).map { TreeChange.upsertTree(path: $0, tree: $1) }
        }
        let commit = try worker.repository.createCommit(
            tree: worker.repository.updateTree(nil, changes), parents: [],
            message: Spool.archiveMessage(jobs: 2, month: month),
            author: Actor.signature("admin"))
        #expect(try worker.pushToRemote(commit, as: archive, expected: nil).isAccepted)
        #expect(try shared.remoteRefNames("refs/dtrain/results").count == 2)

        // The next gc sees both archived and only deletes.
        let report = try shared.admin.collectGarbage(olderThan: 0, actor: "admin")
        #expect(report.folded.map(\.job) == jobs)
        #expect(report.folded.allSatisfy { $0.deleted.count == 2 })
        #expect(try shared.remoteRefNames("refs/dtrain/payloads").isEmpty)
        #expect(try shared.remoteRefNames("refs/dtrain/results").isEmpty)
        let tip = try Processes.git(["--git-dir", shared.remote, "rev-parse", archive])
        #expect(tip.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == commit.hex)
        let reader = try shared.clone("reader")
        for job in jobs {
            #expect(try Self.stored(job, in: reader) == (try Self.stored(job, in: worker)))
        }
        #expect(try shared.fsck().status == 0)
    }

    @Test("a fold that loses the race for the archive adds its job on top of the winner's")
    func losesArchiveRace() throws {
        let shared = try SharedSpool(label: "fold-race")
        let (_, one) = try shared.finishJobs(1, worker: "w1", as: "alice")
        let (second, two) = try shared.finishJobs(1, worker: "w2", as: "bob")
        let admin = shared.admin
        try admin.sync()
        let listed = try admin.remoteRefs()
        let (batch, remaining) = try admin.foldable(
            listed, endedBefore: Date(), limit: 1, heldHere: false)
        #expect(batch.map(\.job) == one)
        #expect(remaining == 1)

        // Just before the admin's first push, the second worker folds its own job into the
        // same month: the archive the admin expected not to exist now does.
        var raced: [FoldAction] = []
        let run = FoldRun(actor: "admin", listed: listed, heldHere: false) {
            guard raced.isEmpty else { return }
            raced = try second.foldHeldJobs(
                listed: second.remoteRefs(), actor: "w2", olderThan: 0)
        }
        let actions = try admin.fold(batch, run)
        #expect(raced.map(\.job) == two)
        #expect(actions.map(\.job) == one)
        #expect(actions.first?.deleted.count == 2)

        // The admin's commit sits on the worker's, and the archive holds both jobs.
        let archive = try #require(actions.first?.archive)
        let authors = try Processes.git(
            ["--git-dir", shared.remote, "log", "--format=%an", archive])
        #expect(authors.stdout == "admin\nw2\n")
        #expect(try shared.remoteRefNames("refs/dtrain/payloads").isEmpty)
        #expect(try shared.remoteRefNames("refs/dtrain/results").isEmpty)
        let reader = try shared.clone("reader")
        for job in one + two {
            let record = try reader.snapshot().requireJob(job)
            #expect(try reader.readResult(of: record)?.log.isEmpty == false)
        }
        #expect(try shared.fsck().status == 0)
    }

    @Test("a results ref deleted after a reader synced: the reader falls back to the archive")
    func readerFallsBack() throws {
        let shared = try SharedSpool(label: "fold-read")
        let (worker, jobs) = try shared.finishJobs(1)
        let job = jobs[0]
        let reader = try shared.clone("reader")
        let record = try reader.snapshot().requireJob(job)
        #expect(try reader.repository.reference(Spool.resultRef(job: job, attempt: 1)) == nil)

        // Folded and deleted between the reader's sync and its read.
        _ = try shared.admin.collectGarbage(olderThan: 0, actor: "admin")
        #expect(try shared.remoteRefNames("refs/dtrain/results").isEmpty)
        #expect(try reader.readResult(of: record)?.log == (try worker.readResult(of: record)?.log))
        #expect(try reader.readPayload(of: record) == (try worker.readPayload(of: record)))

        // With that month's archive deleted too, the error names the job and the ref.
        let month = try #require(record.archiveMonth)
        let dropped = try Processes.git(
            ["--git-dir", shared.remote, "update-ref", "-d", SpoolLayout.archiveRef(month: month)])
        try #require(dropped.status == 0, "\(dropped.stderr)")
        let late = try shared.clone("late")
        let error = #expect(throws: SpoolError.self) {
            try late.readResult(of: late.snapshot().requireJob(job))
        }
        let text = error.map { "\($0)" } ?? ""
        #expect(text.contains(job))
        #expect(text.contains(Spool.resultRef(job: job, attempt: 1)))
        #expect(text.contains(SpoolLayout.archiveRef(month: month)))
        #expect(error?.exitStatus == .notFound)
    }

    @Test("an idle worker folds its own old jobs, and downloads no one else's archive")
    func idleWorkerFolds() throws {
        let options = WorkerLoop.Options(once: true, foldGraceSeconds: 0)

        // Alone in its month: the worker creates the archive and deletes its refs.
        let alone = try SharedSpool(label: "fold-idle")
        let (worker, jobs) = try alone.finishJobs(2)
        let summary = try WorkerLoop(
            spool: worker, worker: "w1", stopRequested: { false }, log: { _ in }
        ).run(options)
        #expect(summary.runs.isEmpty)
        #expect(summary.folded.map(\.job) == jobs)
        #expect(try alone.remoteRefNames("refs/dtrain/payloads").isEmpty)
        #expect(try alone.remoteRefNames("refs/dtrain/results").isEmpty)
        #expect(try worker.repository.references(glob: "refs/dtrain/results/*").isEmpty)
        let reader = try alone.clone("reader")
        #expect(try Self.stored(jobs[0], in: reader) == (try Self.stored(jobs[0], in: worker)))

        // The month's archive written by gc elsewhere: the worker leaves its job to gc.
        let shared = try SharedSpool(label: "fold-idle2")
        let (other, two) = try shared.finishJobs(2)
        let report = try shared.admin.collectGarbage(olderThan: 0, limit: 1, actor: "admin")
        #expect(report.folded.map(\.job) == [two[0]])
        let idle = try WorkerLoop(
            spool: other, worker: "w1", stopRequested: { false }, log: { _ in }
        ).run(options)
        #expect(idle.folded.isEmpty)
        #expect(try shared.remoteRefNames("refs/dtrain/results").count == 1)
        let month = try #require(try other.snapshot().requireJob(two[0]).archiveMonth)
        let tip = try #require(
            try shared.admin.repository.reference(SpoolLayout.archiveRef(month: month)))
        #expect(!other.repository.hasObject(tip), "the worker downloaded the archive")
    }
}
