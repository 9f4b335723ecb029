import Foundation
import GitKit

/// The two writes of a fold: the archive commit, then the deletions it makes safe.
extension Spool {
    /// Puts the jobs' trees into the month's archive and pushes it with compare-and-swap.
    ///
    /// Returns the archive commit that holds them (the remote's own tip when it already
    /// did; nil when there is no archive and nothing this clone could add). A refused push
    /// means another fold moved the archive: list, fetch its new tip, add what is still
    /// missing on top, and push again, a bounded number of times.
    func pushArchive(
        _ archive: String, month: String, _ jobs: [FoldCandidate], _ run: FoldRun
    ) throws -> ArchiveOutcome {
        let signature = try Actor.signature(run.actor)
        var expected = run.listed[archive]
        for attempt in 0..<Self.archiveAttempts {
            if attempt > 0 {
                Backoff.sleep(attempt: attempt)
                expected = try remoteRefs()[archive]
            }

            // Build on the remote's tip. Only a clone that does not hold it downloads it;
            // a worker, holding only its own jobs, never does (that is gc's work).
            if let tip = expected, !repository.hasObject(tip) {
                if run.heldHere { return .skipped("\(archive) was last written elsewhere") }
                try fetchFromRemote(archive)
                guard repository.hasObject(tip) else { continue }
            }
            let base = try expected.map { try repository.commit($0).tree }

            // Graft every tree the archive lacks; one it holds (same or not) is left as is.
            var changes: [TreeChange] = []
            var added = Set<String>()
            for job in jobs {
                for (ref, id) in job.refs where repository.hasObject(id) {
                    guard let (_, path) = SpoolLayout.archivePath(of: ref) else { continue }
                    if let base, try repository.entry(in: base, path: path) != nil { continue }
                    changes.append(.upsertTree(path: path, tree: try repository.commit(id).tree))
                    added.insert(job.job)
                }
            }
            if changes.isEmpty { return .holds(expected) }
            let tree = try repository.updateTree(base, changes)
            let commit = try repository.createCommit(
                tree: tree, parents: expected.map { [$0] } ?? [],
                message: Self.archiveMessage(jobs: added.count, month: month),
                author: signature)
            try run.beforeArchivePush()
            if try pushToRemote(commit, as: archive, expected: expected).isAccepted {
                try moveLocalCopy(archive, to: commit, message: "dtrain gc: archive")
                return .holds(commit)
            }
        }
        return .skipped("\(archive) kept moving; the next gc tries again")
    }

    static func archiveMessage(jobs: Int, month: String) -> String {
        "Archive \(jobs) finished job\(jobs == 1 ? "" : "s") of \(month)"
    }

    /// Deletes each ref whose very tree the archive commit `tip` holds, expecting the value
    /// that was listed, and this clone's copy with it; reports every ref of every job.
    func deleteArchived(_ jobs: [FoldCandidate], archive: String, tip: ObjectID?)
        throws -> [FoldAction]
    {
        let archiveTree = try tip.map { try repository.commit($0).tree }
        var outcomes: [String: Deletion] = [:]
        for job in jobs {
            for (ref, id) in job.refs {
                guard repository.hasObject(id), let archiveTree,
                    let (_, path) = SpoolLayout.archivePath(of: ref)
                else {
                    outcomes[ref] = .unsure("it could not be fetched")
                    continue
                }
                guard
                    try repository.entry(in: archiveTree, path: path)?.id
                        == repository.commit(id).tree
                else {
                    let why = "\(archive) holds a different tree at \(path); left for a person"
                    outcomes[ref] = .done(.init(ref: ref, outcome: .kept, reason: why))
                    continue
                }
                // FIXME: each delete is its own push, and over ssh each push is a
                // connection that downloads the whole ref list first: folding 500
                // jobs makes 1,000 of them. Bites gc over ssh on a big backlog; one
                // push of a batch's deletes would do (receive-pack checks each ref's
                // old value on its own).
                if let refused = try pushToRemote(nil, as: ref, expected: id).rejected {
                    outcomes[ref] = .unsure(refused)
                    continue
                }
                outcomes[ref] = .done(.init(ref: ref, outcome: .deleted, reason: nil))
                try? repository.deleteReference(ref, expected: id)
            }
        }

        // A refused delete, or a ref that would not come: gone (another fold was first)
        // or still there (left for the next run)? One listing tells them apart.
        let unsure = outcomes.values.contains { if case .unsure = $0 { true } else { false } }
        let remaining = unsure ? try remoteRefs() : [:]
        return jobs.map { job in
            let refs = job.refs.keys.sorted().map { ref -> FoldAction.Ref in
                switch outcomes[ref] {
                case .done(let done): done
                case .unsure(let why) where remaining[ref] != nil:
                    .init(ref: ref, outcome: .kept, reason: why)
                case .unsure, nil: .init(ref: ref, outcome: .goneAlready, reason: nil)
                }
            }
            return FoldAction(job: job.job, archive: archive, refs: refs)
        }
    }
}

/// What became of one ref, before a listing settles the unsure ones.
private enum Deletion {
    case done(FoldAction.Ref)
    /// Still on the remote, or deleted by someone else first: a listing tells.
    case unsure(String)
}

/// Whether the month's archive now holds what this clone could add, or why not.
enum ArchiveOutcome {
    case holds(ObjectID?)
    case skipped(String)
}
