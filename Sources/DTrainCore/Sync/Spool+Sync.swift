import Foundation
import GitKit

/// Delivering local commits to the remote's `main`, which only ever moves forward.
///
/// libgit2 cannot be trusted to refuse a stale update of a ref on a path remote, so every push
/// names the value it expects the remote to hold (see `Repository.push`). When the remote has
/// moved on, the local commits are replayed on its new tip — each one checked again against
/// the state machine and the ledger — and pushed again, with jittered back-off. A commit that
/// no longer makes sense there (the job was cancelled or claimed elsewhere, the money was spent
/// on another machine) is dropped and reported, never forced.
extension Spool {
    /// How many fetch-replay-push rounds one sync tries before giving up.
    public static let syncAttempts = 12

    @discardableResult
    public func sync(attempts: Int = Spool.syncAttempts) throws -> SyncReport {
        do {
            return try syncRounds(attempts)
        } catch {
            // A ref of this clone that stays locked: name the file, not a raw libgit2 error.
            throw SpoolError.fromLock(error) ?? error
        }
    }

    private func syncRounds(_ attempts: Int) throws -> SyncReport {
        let url = try remoteURL()
        var report = SyncReport()
        for attempt in 0..<attempts {
            if attempt > 0 { Backoff.sleep(attempt: attempt) }
            try fetchMain()
            guard let remoteTip = try repository.reference(Self.trackingRef) else {
                throw SyncError.refused(url: url, why: "it holds no main branch")
            }
            let localTip = try snapshot().commit

            // Nothing of ours is pending: follow the remote.
            if try localTip == remoteTip || repository.isAncestor(localTip, of: remoteTip) {
                if localTip != remoteTip {
                    do {
                        try repository.setReference(
                            SpoolLayout.mainRef, to: remoteTip, expected: localTip,
                            message: "dtrain sync: fast-forward")
                    } catch let error as GitError where error.isLostRace {
                        continue
                    }
                }
                report.tip = remoteTip.hex
                return report
            }

            // Ours are pending; if the remote moved, replay them on its tip first.
            var candidate = localTip
            if try !repository.isAncestor(remoteTip, of: localTip) {
                let replay = try Replayer(spool: self).replay(
                    repository.commits(from: localTip, excluding: remoteTip), onto: remoteTip)
                report.dropped += replay.dropped
                do {
                    try repository.setReference(
                        SpoolLayout.mainRef, to: replay.tip, expected: localTip,
                        message: "dtrain sync: replay on the remote's tip")
                } catch let error as GitError where error.isLostRace {
                    continue
                }
                candidate = replay.tip
                if candidate == remoteTip {
                    report.tip = remoteTip.hex
                    return report
                }
            }

            // Payloads first, so main never names a ZIP the remote lacks.
            let pending = try repository.commits(from: candidate, excluding: remoteTip)
            report.payloadsPushed += try pushPayloads(introducedBy: pending, url: url)
            let result = try pushToRemote(
                candidate, as: SpoolLayout.mainRef, expected: remoteTip, url: url)
            guard result.isAccepted else {
                report.refusedPushes += 1
                continue
            }
            try moveTrackingRef(to: candidate)
            report.delivered += pending.count
            report.tip = candidate.hex
            return report
        }
        throw SyncError.gaveUp(attempts: attempts)
    }

    /// Records where the remote's main now is.
    func moveTrackingRef(to id: ObjectID) throws {
        try moveLocalCopy(Self.trackingRef, to: id, message: "dtrain sync: pushed")
    }

    /// Points this clone's copy of a remote ref at what was just pushed there. The copy is
    /// only a memo of what was seen, so a concurrent fetch that moved it first is simply
    /// tried over.
    func moveLocalCopy(_ ref: String, to id: ObjectID, message: String) throws {
        for _ in 0..<3 {
            let current = try repository.reference(ref)
            do {
                try repository.setReference(ref, to: id, expected: current, message: message)
                return
            } catch let error as GitError where error.isLostRace {
                continue
            }
        }
    }

    /// Pushes the payload refs of jobs created by `commits` (create-only on the remote).
    private func pushPayloads(introducedBy commits: [ObjectID], url: String) throws -> Int {
        var pushed = 0
        for id in commits {
            let commit = try repository.commit(id)
            let parent = try commit.parents.first.map { try repository.commit($0).tree }
            for path in try repository.changedPaths(from: parent, to: commit.tree) {
                guard case .manifest(let job) = SpoolLayout.classify(path) else { continue }
                let ref = SpoolLayout.payloadRef(job: job)
                guard let payload = try repository.reference(ref) else { continue }
                let result = try pushToRemote(payload, as: ref, expected: nil, url: url)
                // Refused means it is there already: an earlier sync died after pushing it.
                if result.isAccepted { pushed += 1 }
            }
        }
        return pushed
    }
}

/// Jittered exponential back-off, so racing clones spread out instead of colliding again.
enum Backoff {
    static func sleep(attempt: Int, base: Double = 0.05, cap: Double = 2) {
        let ceiling = min(cap, base * Double(1 << min(attempt, 10)))
        Thread.sleep(forTimeInterval: Double.random(in: 0...ceiling))
    }
}
