import Foundation
import GitKit

/// What a reap or collection did to one claim.
public struct ReapAction: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        /// The lease lapsed; the job went back to the queue.
        case requeued
        /// The lease lapsed once too often; the job failed and its escrow went back.
        case failed
        /// The lease lapsed before the claim reached main; the claim was simply removed.
        case released
        /// The job is final on main; its claim ref was folded in and deleted.
        case collected
    }

    public var job: String
    public var kind: Kind
    public var worker: String?
}

/// Taking back what dead workers held, and folding in the claims of finished jobs.
extension Spool {
    /// Looks at every claim on the remote. A claim this clone has seen unchanged for the lease
    /// period is taken back; a claim of a job that is final on main is deleted (gc).
    ///
    /// Deleting a claim expects the value that was observed, so a holder that renewed at the
    /// last moment keeps its job; a holder that renews after the delete finds its ref gone and
    /// stops (fencing). Safe to run from every worker on every poll.
    ///
    /// `claims` is the remote's claim list when the caller has just fetched it (a worker
    /// poll does, once, for both reaping and claiming); otherwise reap syncs and lists.
    public func reap(now: Date = Date(), claims known: [String: ObjectID]? = nil) throws
        -> [ReapAction]
    {
        let claims: [String: ObjectID]
        if let known {
            claims = known
        } else {
            try sync()
            claims = try remoteClaims()
        }
        let snapshot = try snapshot()
        let config = try snapshot.config()
        let index = try index(at: snapshot)
        var actions: [ReapAction] = []

        for (id, value) in claims.sorted(by: { $0.key < $1.key }) {
            let since = try index.observe(claimOf: id, value: value.hex, now: now)
            let job = try snapshot.job(id)
            let final = job.map(\.state.isFinal) ?? true
            let lapsed = now.timeIntervalSince(since) >= Double(config.leaseSeconds)
            guard final || lapsed else { continue }
            guard try deleteRemoteClaim(id, expected: value) else { continue }
            if final {
                actions.append(ReapAction(job: id, kind: .collected, worker: nil))
                continue
            }
            if let action = try requeue(id, config: config) {
                actions.append(action)
            }
        }
        try index.forgetObservations(keeping: Set(claims.keys))
        return actions
    }

    /// Deletes only the claim refs of final jobs among `claims`, the remote's claims as just
    /// listed (`dtrain gc`): never touches a live lease.
    func collectClaims(_ claims: [String: ObjectID]) throws -> [ReapAction] {
        let snapshot = try snapshot()
        var actions: [ReapAction] = []
        for (id, value) in claims.sorted(by: { $0.key < $1.key }) {
            guard try snapshot.job(id)?.state.isFinal ?? true else { continue }
            if try deleteRemoteClaim(id, expected: value) {
                actions.append(ReapAction(job: id, kind: .collected, worker: nil))
            }
        }
        return actions
    }

    /// Writes the record that takes a lapsed job back: to the queue, or failed for good.
    private func requeue(_ id: String, config: SpoolConfig) throws -> ReapAction? {
        let reaper = settings.user ?? "reaper"
        var action: ReapAction?
        try write(actor: reaper, message: "Reap job \(id): lease lapsed") { snapshot in
            let job = try snapshot.requireJob(id)
            guard job.state == .claimed || job.state == .running else {
                action = ReapAction(job: id, kind: .released, worker: nil)
                return []
            }
            let holder = job.records.last(where: { $0.worker != nil })?.worker
            let note = "lease of \(holder ?? "its worker") lapsed (attempt \(job.attempt))"
            if job.countedClaims >= config.retryLimit {
                let release = LedgerEntry.release(
                    job: id, user: job.manifest.owner,
                    amount: try ledgerBalance(.escrow(job: id), at: snapshot), by: reaper,
                    at: Timestamp.iso())
                try checkLedger([release], at: snapshot, reservations: [id: job.manifest.owner])
                action = ReapAction(job: id, kind: .failed, worker: holder)
                let failed = try job.transition(
                    to: .failed, by: reaper, note: note + "; retry limit reached",
                    entry: release.id)
                return try changes(for: failed, entries: [release])
            }
            action = ReapAction(job: id, kind: .requeued, worker: holder)
            return try changes(for: job.transition(to: .published, by: reaper, note: note))
        }
        try deliver(expecting: "Reap job \(id)")
        return action
    }

    /// Deletes a claim ref on the remote if it still holds `expected`; false if it moved.
    private func deleteRemoteClaim(_ id: String, expected: ObjectID) throws -> Bool {
        try pushToRemote(nil, as: Self.claimRef(job: id), expected: expected).isAccepted
    }
}
