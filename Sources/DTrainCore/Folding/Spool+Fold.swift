import Foundation
import GitKit

/// Folding the payload and results refs of finished jobs into monthly archive refs, then
/// deleting them from the remote.
///
/// libgit2 1.5 downloads the remote's whole ref advertisement on every connection, so every
/// ref a finished job leaves behind slows every poll, claim and sync of every clone. Folding
/// grafts each ref's tree into `refs/dtrain/archive/<YYYY-MM>` by id — the blobs are the
/// same objects, so no bytes are copied — and then deletes the ref.
///
/// The order is what makes it safe. The archive commit is pushed first, by compare-and-swap;
/// a ref is deleted only after that push was accepted, only if the archive holds the very
/// same tree, and only if the ref still holds the value that was listed. A crash in between
/// leaves a job both archived and on its refs: the next fold finds it archived and only
/// deletes. Of two folds racing on one month, the loser fetches the winner's archive, adds
/// what is still missing on top, and pushes again.
extension Spool {
    /// How long a finished job keeps its own refs by default: the week in which its
    /// submitter most likely fetches the outputs, a small download from its own ref.
    public static let defaultFoldGrace: TimeInterval = 7 * 86_400
    /// The most jobs one gc folds, so one run's downloads and trees stay bounded.
    public static let defaultFoldLimit = 500
    /// The most jobs an idle worker poll folds: a few pushes, then back to polling.
    public static let idleFoldLimit = 3
    /// Archive pushes tried per month before a run leaves that month to the next run.
    static let archiveAttempts = 8

    /// `dtrain gc`: syncs, deletes the claim refs of final jobs, then folds the payload and
    /// results refs of at most `limit` jobs that became final more than `grace` ago, in
    /// the order they ended. The refs it folds are downloaded first (those this clone
    /// lacks), and so is each month's archive it appends to.
    public func collectGarbage(
        olderThan grace: TimeInterval = defaultFoldGrace, limit: Int = defaultFoldLimit,
        actor: String, now: Date = Date()
    ) throws -> GarbageReport {
        try Actor.check(actor)
        try sync()
        let refs = try remoteRefs()
        var report = GarbageReport()
        report.claims = try collectClaims(Self.claims(in: refs))
        let (batch, remaining) = try foldable(
            refs, endedBefore: now.addingTimeInterval(-grace), limit: limit, heldHere: false)
        report.remaining = remaining
        report.folded = try fold(batch, FoldRun(actor: actor, listed: refs, heldHere: false))
        return report
    }

    /// Folds a few final jobs whose refs this clone already holds — a worker's own runs —
    /// without downloading anything: a month whose archive tip this clone lacks (another
    /// clone wrote it) is left to `dtrain gc`, because fetching it would bring every job of
    /// that month along.
    ///
    /// `refs` is the remote's listing the caller has just made (a worker poll makes one).
    public func foldHeldJobs(
        listed refs: [String: ObjectID], actor: String,
        olderThan grace: TimeInterval = defaultFoldGrace, now: Date = Date()
    ) throws -> [FoldAction] {
        let (batch, _) = try foldable(
            refs, endedBefore: now.addingTimeInterval(-grace), limit: Self.idleFoldLimit,
            heldHere: true)
        return try fold(batch, FoldRun(actor: actor, listed: refs, heldHere: true))
    }

    /// The `limit` final jobs that ended first, before `cutoff`, and still have payload or
    /// results refs on the remote, and how many more there are.
    ///
    /// The index picks them without reading every record; the batch's own records are then
    /// read from main, which is what the archive month comes from.
    func foldable(
        _ listed: [String: ObjectID], endedBefore cutoff: Date, limit: Int, heldHere: Bool
    ) throws -> (batch: [FoldCandidate], remaining: Int) {
        // A worker looks only at the refs it holds (a few), not at the whole listing.
        let held = try heldHere ? Self.heldRefs(in: repository) : listed
        var byJob: [String: [String: ObjectID]] = [:]
        for (ref, id) in held where listed[ref] == id {
            guard let (job, _) = SpoolLayout.archivePath(of: ref) else { continue }
            byJob[job, default: [:]][ref] = id
        }
        guard !byJob.isEmpty else { return ([], 0) }

        // Those that ended longest ago first.
        let snapshot = try snapshot()
        let index = try index(at: snapshot)
        var ends: [(job: String, ended: Date)] = []
        for job in byJob.keys {
            guard let summary = try index.job(job), summary.state.isFinal,
                let ended = summary.updatedAt.flatMap(Timestamp.parse), ended <= cutoff
            else { continue }
            ends.append((job, ended))
        }
        let due = ends.sorted { ($0.ended, $0.job) < ($1.ended, $1.job) }.map(\.job)
        var batch: [FoldCandidate] = []
        for job in due.prefix(max(0, limit)) {
            guard let record = try snapshot.job(job), let ended = record.endedAt,
                ended <= cutoff
            else { continue }
            batch.append(
                FoldCandidate(
                    job: job, month: SpoolLayout.month(of: ended), refs: byJob[job] ?? [:]))
        }
        return (batch, max(0, due.count - max(0, limit)))
    }

    /// This clone's own payload and results refs.
    private static func heldRefs(in repository: Repository) throws -> [String: ObjectID] {
        let refs =
            try repository.references(glob: SpoolLayout.payloadRefPrefix + "*")
            + repository.references(glob: resultRefPrefix + "*")
        return byName(refs)
    }

    /// Folds a batch month by month, each month's archive on its own.
    func fold(_ batch: [FoldCandidate], _ run: FoldRun) throws -> [FoldAction] {
        var actions: [FoldAction] = []
        let months = Dictionary(grouping: batch, by: \.month)
        for month in months.keys.sorted() {
            actions += try foldMonth(month, months[month] ?? [], run)
        }
        return actions
    }

    /// Folds one month's jobs: their objects, the archive commit, then the deletions.
    private func foldMonth(_ month: String, _ jobs: [FoldCandidate], _ run: FoldRun) throws
        -> [FoldAction]
    {
        let archive = SpoolLayout.archiveRef(month: month)

        // The refs' objects, in one round trip. A ref deleted since the listing (another gc
        // folded it) simply does not come; the deletion step below says so.
        if !run.heldHere {
            let lacking = jobs.flatMap { job in
                job.refs.filter { !repository.hasObject($0.value) }.map(\.key)
            }
            try fetchFromRemote(refs: lacking.sorted())
        }

        // The archive first; the deletions only once it holds the jobs.
        let outcome = try pushArchive(archive, month: month, jobs, run)
        guard case .holds(let tip) = outcome else {
            // A worker leaves such a month to gc without a word on every idle poll.
            guard !run.heldHere, case .skipped(let why) = outcome else { return [] }
            return jobs.map { job in
                let refs = job.refs.keys.sorted().map {
                    FoldAction.Ref(ref: $0, outcome: .kept, reason: why)
                }
                return FoldAction(job: job.job, archive: archive, refs: refs)
            }
        }
        return try deleteArchived(jobs, archive: archive, tip: tip)
    }
}

/// One job's refs to fold and the month they go to.
struct FoldCandidate {
    var job: String
    var month: String
    /// The job's payload and results refs on the remote, with the values listed.
    var refs: [String: ObjectID]
}

/// One fold's settings, carried through its steps.
struct FoldRun {
    /// The author of the archive commits.
    var actor: String
    /// The remote's refs as listed when the fold began.
    var listed: [String: ObjectID]
    /// Fold only refs this clone holds and download nothing (an idle worker).
    var heldHere: Bool
    /// Runs just before each archive push; a test moves the archive there, as a fold
    /// racing from another clone would.
    var beforeArchivePush: () throws -> Void = {}
}
