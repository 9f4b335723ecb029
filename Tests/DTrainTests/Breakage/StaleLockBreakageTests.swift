import Foundation
import GitKit
import Testing

/// Ref lock files a `dtrain` killed with SIGKILL (OOM killer, `kill -9`, a
/// power cut) leaves behind, in the clone or in a bare remote on a shared disk.
///
/// Found by hand (breaker3): in a loop that started `dtrain credit` or
/// `dtrain publish` and killed it after a random 0-250 ms, about one run in a
/// hundred left `remote.git/refs/heads/main.lock` behind, and a few more left
/// `refs/heads/main.lock` or `refs/remotes/origin/main.lock` in the clone.
/// Nothing removes or names them:
///
/// - a stale `main.lock` on the remote blocks every clone of the lab: each
///   write spins 12 fetch-replay-push rounds (17 s, 8 s of CPU) and ends
///   "the remote kept moving: gave up after 12 attempts" (exit 6), although
///   nothing else writes; the change stays committed locally, so a user who
///   retries the "failed" credit credits twice once the lock is gone;
/// - a stale `refs/heads/main.lock` in the clone: "the spool kept changing
///   under us; try again" after 4 s, for ever;
/// - a stale tracking-ref lock: "cannot reach the remote" (exit 7) from every
///   `sync`, while the remote is right there.
///
/// git itself says "Unable to create '…/main.lock': File exists … remove the
/// file manually". These tests ask for at least that: the lock is named, the
/// remote is not blamed, and a write that was kept locally is not reported as
/// a failure to be retried.
@Suite("breakage: stale ref locks after a kill -9")
struct StaleLockBreakageTests {
    let directory: TemporaryDirectory
    let remote: String
    let spool: String

    init() throws {
        let published = try PublishedSpool("brk-lock", gitInitFirst: true)
        (directory, remote, spool) = (published.directory, published.remote, published.spool)
    }

    private func leaveLock(_ path: String) throws {
        // What a killed process leaves: the lock file with the new value in it.
        let head = try Processes.git(["--git-dir", remote, "rev-parse", "main"])
        try Data(head.stdout.utf8).write(to: URL(fileURLWithPath: path))
    }

    @Test(
        "a lock older than RefLock.staleAfter is removed, and the write goes through",
        arguments: ["remote", "clone"])
    func oldLockIsRemoved(place: String) throws {
        let lock =
            place == "remote"
            ? remote + "/refs/heads/main.lock" : spool + "/.git/refs/heads/main.lock"
        try leaveLock(lock)
        let old = Date().addingTimeInterval(-(RefLock.staleAfter + 60))
        try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: lock)

        let credited = try Processes.dtrain(["credit", "alice", "1"], spool: spool)

        #expect(credited.status == 0, "\(credited.stderr)")
        #expect(credited.stderr.isEmpty, "\(credited.stderr)")
        #expect(!FileManager.default.fileExists(atPath: lock))
        let status = try Processes.dtrain(["status"], spool: spool)
        #expect(!status.stdout.contains("Credit alice"), "still pending: \(status.stdout)")
    }

    @Test("a stale main.lock on the remote is named, and the credit is not 'failed'")
    func staleRemoteLock() throws {
        let lock = remote + "/refs/heads/main.lock"
        try leaveLock(lock)
        let started = Date()
        let credited = try Processes.dtrain(["credit", "alice", "1"], spool: spool)
        let seconds = Date().timeIntervalSince(started)

        #expect(credited.stderr.contains("main.lock"), "\(credited.stderr)")
        #expect(!credited.stderr.contains("kept moving"), "\(credited.stderr)")
        #expect(seconds < 5, "spun \(seconds) s against a lock nobody holds")
        // Committed locally and delivered later by 'dtrain sync': not a failure
        // the user should retry (a retry would credit twice).
        let status = try Processes.dtrain(["status"], spool: spool)
        if status.stdout.contains("Credit alice") {
            #expect(
                credited.status == 0,
                "kept for delivery, yet exit \(credited.status): a retry credits twice")
        }
    }

    @Test("a stale main.lock in the clone is named")
    func staleLocalLock() throws {
        try leaveLock(spool + "/.git/refs/heads/main.lock")
        let credited = try Processes.dtrain(["credit", "alice", "1"], spool: spool)
        #expect(credited.status != 0)
        #expect(credited.stderr.contains("main.lock"), "\(credited.stderr)")
        #expect(!credited.stderr.contains("kept changing"), "\(credited.stderr)")
    }

    @Test("a stale tracking-ref lock is not an unreachable remote")
    func staleTrackingLock() throws {
        try leaveLock(spool + "/.git/refs/remotes/origin/main.lock")
        // Someone else writes, so this clone's fetch has a tracking ref to move.
        let other = directory.file("other")
        let cloned = try Processes.dtrain(["clone", remote, other, "--as", "admin"])
        try #require(cloned.status == 0, "\(cloned.stderr)")
        let credited = try Processes.dtrain(["credit", "bob", "1"], spool: other)
        try #require(credited.status == 0, "\(credited.stderr)")

        let synced = try Processes.dtrain(["sync"], spool: spool)
        #expect(synced.status != 7, "\(synced.stderr)")
        #expect(!synced.stderr.contains("cannot reach the remote"), "\(synced.stderr)")
    }
}
