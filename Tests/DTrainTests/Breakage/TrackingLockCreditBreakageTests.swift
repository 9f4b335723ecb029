import Foundation
import Testing

/// A stale `refs/remotes/origin/main.lock` in the clone (left by a `dtrain`
/// killed with SIGKILL while it fetched) during a write.
///
/// Found by hand (breaker4): `dtrain credit bob 5` fails with exit 6 and
/// "…/refs/remotes/origin/main.lock is locked (for 1 s) … remove the file",
/// with no word that the credit was committed locally. It was: the next
/// `dtrain sync` delivers it. An admin who retries the "failed" credit (as
/// exit 6 invites) credits bob twice. With the same lock on the remote's
/// `refs/heads/main.lock`, dtrain says "saved locally; not delivered … do not
/// repeat the command" and exits 0, as the README promises for a delivery
/// blocked by a lock; the tracking-ref lock takes another path.
@Suite("breakage: a tracking-ref lock during a write")
struct TrackingLockCreditBreakageTests {
    @Test("a credit that reports failure is not delivered later")
    func failedCreditIsNotAppliedLater() throws {
        let made = try PublishedSpool("brk-track-lock")
        let spool = made.spool

        let lock = spool + "/.git/refs/remotes/origin/main.lock"
        let head = try Processes.git([
            "--git-dir", spool + "/.git", "rev-parse", "refs/remotes/origin/main",
        ])
        try #require(head.status == 0, "\(head.stderr)")
        try Data(head.stdout.utf8).write(to: URL(fileURLWithPath: lock))

        let credited = try Processes.dtrain(["credit", "bob", "5"], spool: spool)

        try FileManager.default.removeItem(atPath: lock)
        let synced = try Processes.dtrain(["sync"], spool: spool)
        try #require(synced.status == 0, "\(synced.stderr)")
        let wallet = try Processes.dtrain(["wallet", "bob", "--json"], spool: spool)
        try #require(wallet.status == 0, "\(wallet.stderr)")
        let credit = wallet.stdout.contains("\"balance\" : 500")
        if credited.status != 0 {
            #expect(
                !credit,
                "credit exited \(credited.status) (\(credited.stderr)) yet was delivered: a retry credits twice"
            )
        } else {
            #expect(credit, "credit exited 0 but was lost: \(wallet.stdout)")
        }
    }
}
