import Foundation
import GitKit

/// The claim protocol: a worker holds a job by creating the job's claim ref on the remote.
///
/// Creating a ref that does not exist is granted to exactly one creator, by receive-pack over
/// ssh and by `Repository.push`'s own compare-and-swap on path remotes, so two workers racing
/// for one job get one "ok" and one "refused" in a single round trip. Only after the remote has
/// accepted the claim does the winner record `claimed` on `main`. The claim ref then carries the
/// holder's lease: each renewal is a new commit on it, pushed with the old value expected.
extension Spool {
    public static let claimRefPrefix = "refs/dtrain/claims/"

    public static func claimRef(job: String) -> String { claimRefPrefix + job }

    /// Claim refs on the remote, by job; one round trip, no objects downloaded.
    public func remoteClaims() throws -> [String: ObjectID] {
        Self.claims(in: try remoteRefs())
    }

    /// The claim refs of a listing of the remote's refs, by job.
    public static func claims(in refs: [String: ObjectID]) -> [String: ObjectID] {
        var claims: [String: ObjectID] = [:]
        for (name, id) in refs where name.hasPrefix(claimRefPrefix) {
            claims[String(name.dropFirst(claimRefPrefix.count))] = id
        }
        return claims
    }

    /// Claims one eligible job, trying others (in random order) after each lost race.
    /// `excluding` names jobs this worker should not take again (ones it just handed back
    /// because of its own fault, so it does not spin on them).
    /// `claims` is the remote's claim list if the caller has just synced and fetched it.
    public func claimNext(
        profile: WorkerProfile, excluding: Set<String> = [],
        claims known: [String: ObjectID]? = nil,
        maxTries: Int = 8
    ) throws -> ClaimResult {
        let claims: [String: ObjectID]
        if let known {
            claims = known
        } else {
            try sync()
            claims = try remoteClaims()
        }
        var eligible = try index().jobs(state: .published)
            .filter { profile.fits($0) && claims[$0.id] == nil && !excluding.contains($0.id) }
        let count = eligible.count
        guard count > 0 else {
            return ClaimResult(eligible: 0, lost: 0, reason: "no published job fits this worker")
        }

        // Random order: racing workers then rarely want the same job (see the design notes).
        eligible.shuffle()
        var lost = 0
        for job in eligible.prefix(maxTries) {
            if let attempt = try claim(job: job.id, worker: profile.name) {
                return ClaimResult(job: job.id, attempt: attempt, eligible: count, lost: lost)
            }
            lost += 1
        }
        return ClaimResult(
            eligible: count, lost: lost, reason: "lost every race (\(lost)); try again")
    }

    /// Tries to claim `job`; returns the attempt number, or nil when another worker has it.
    public func claim(job id: String, worker: String) throws -> Int? {
        let job = try snapshot().requireJob(id)
        guard job.state == .published else { return nil }
        let attempt = job.claims + 1
        let now = Timestamp.iso()
        let ticket = ClaimTicket(
            job: id, worker: worker, attempt: attempt, claimedAt: now,
            nonce: Identifier.make(), beat: 0, renewedAt: now)
        let commit = try claimCommit(ticket, parent: nil)

        // The atomic step: create the ref, which must not exist yet.
        let ref = Self.claimRef(job: id)
        guard try pushToRemote(commit, as: ref, expected: nil).isAccepted else { return nil }
        try setLocalClaim(id, to: commit)

        // Record it on main; if the job moved on meanwhile (cancelled), give the claim back.
        // FIXME: every claim also commits to the one shared main, so claims per second stop
        // growing with workers (about 10/s here at 1, 4 or 8). Bites on big clusters.
        // FIXME: a worker that dies right here leaves a claim ref with no `claimed` record;
        // the job is skipped by everyone until a reap removes the claim a lease later.
        do {
            try write(actor: worker, message: "Worker \(worker) claims job \(id)") { snapshot in
                let current = try snapshot.requireJob(id)
                let claimed = try current.transition(
                    to: .claimed, by: worker, worker: worker, attempt: attempt)
                return try changes(for: claimed)
            }
            try deliver(expecting: "claims job \(id)")
        } catch is ClaimError {
            try? releaseClaim(job: id)
            return nil
        } catch let error as SpoolError {
            if case .illegalTransition = error {
                try? releaseClaim(job: id)
                return nil
            }
            throw error
        }
        return attempt
    }

    /// Renews the lease on a held claim, adding a piece of the run's log if given. False
    /// means the claim is no longer ours (it was reaped): the holder must stop and write
    /// nothing more about the job (fencing).
    ///
    /// The log rides on the claim ref because only the holder writes that ref: log pushes
    /// never contend with anyone, and every log push is also a proof of life.
    public func renewLease(job id: String, logPiece: Data? = nil) throws -> Bool {
        let ref = Self.claimRef(job: id)
        guard let current = try repository.reference(ref) else { return false }
        var ticket = try claimTicket(at: current)
        ticket.beat += 1
        ticket.renewedAt = Timestamp.iso()
        var extra: [TreeChange] = []
        if let logPiece, !logPiece.isEmpty {
            let name = String(format: "%06d.log", ticket.beat)
            extra.append(.upsert(path: "log/" + name, blob: try repository.createBlob(logPiece)))
        }
        let next = try claimCommit(ticket, parent: current, adding: extra)
        guard try pushToRemote(next, as: ref, expected: current).isAccepted else { return false }
        try setLocalClaim(id, to: next)
        return true
    }

    /// Deletes our claim ref on the remote (expecting our own value) and locally.
    public func releaseClaim(job id: String) throws {
        let ref = Self.claimRef(job: id)
        if let current = try repository.reference(ref) {
            do {
                _ = try pushToRemote(nil, as: ref, expected: current)
            } catch SyncError.remoteLocked {
                // The job's end is recorded on main; `dtrain gc` collects the claim later.
            }
            try repository.deleteReference(ref, expected: current)
        }
    }

    func claimTicket(at commit: ObjectID) throws -> ClaimTicket {
        let tree = try repository.commit(commit).tree
        guard let entry = try repository.entry(in: tree, path: ClaimTicket.fileName) else {
            throw SpoolError.malformed(path: ClaimTicket.fileName, why: "missing in claim")
        }
        return try CanonicalJSON.decode(ClaimTicket.self, from: repository.blob(entry.id))
    }

    /// A commit on the claim ref: the ticket, plus the parent's log pieces and any new ones.
    private func claimCommit(
        _ ticket: ClaimTicket, parent: ObjectID?, adding extra: [TreeChange] = []
    ) throws -> ObjectID {
        let blob = try repository.createBlob(CanonicalJSON.encode(ticket))
        let base = try parent.map { try repository.commit($0).tree }
        let tree = try repository.updateTree(
            base, [.upsert(path: ClaimTicket.fileName, blob: blob)] + extra)
        let verb = ticket.beat == 0 ? "Claim" : "Renew lease on"
        return try repository.createCommit(
            tree: tree, parents: parent.map { [$0] } ?? [],
            message: "\(verb) job \(ticket.job) (attempt \(ticket.attempt), beat \(ticket.beat))",
            author: Actor.signature(ticket.worker))
    }

    private func setLocalClaim(_ job: String, to commit: ObjectID) throws {
        let ref = Self.claimRef(job: job)
        let current = try repository.reference(ref)
        try repository.setReference(ref, to: commit, expected: current, message: "dtrain claim")
    }
}
