import Foundation
import Testing

/// Two or more `dtrain` processes writing one clone at once, as a cron job
/// and a person at a terminal would.
///
/// Found by hand: of 20 parallel `credit` commands on a fresh clone, 8 failed
/// with raw SQLite errors ("no such table: meta", "table meta already exists")
/// because each process built the index schema outside a transaction, and
/// others with a raw libgit2 "failed to lock file .../main.lock" because a
/// held ref lock was not treated as a lost race. One of them had committed its
/// credit before failing, so a retry would have paid twice. Those that got
/// through sometimes said the remote was unreachable when another process only
/// held the lock of `refs/remotes/origin/main`.
@Suite("breakage: concurrent writers on one clone")
struct ConcurrentWriterBreakageTests {
    let directory: TemporaryDirectory
    let remote: String
    let spool: String

    init() throws {
        let published = try PublishedSpool("brk-conc", gitInitFirst: true)
        (directory, remote, spool) = (published.directory, published.remote, published.spool)
    }

    @Test("20 parallel credits: every one succeeds, none is lost, verify passes")
    func parallelCredits() throws {
        let count = 20
        let results = ResultBox(count: count)
        let spool = self.spool
        DispatchQueue.concurrentPerform(iterations: count) { index in
            let result = Result {
                try Processes.dtrain(["credit", "user\(index)", "1"], spool: spool)
            }
            results.set(index, result)
        }
        for (index, result) in results.all.enumerated() {
            let finished = try result.get()
            #expect(finished.status == 0, "credit #\(index): \(finished.stderr)")
            #expect(!finished.stderr.contains("error"), "credit #\(index): \(finished.stderr)")
            // A busy lock file on this clone is not an unreachable remote.
            #expect(!finished.stderr.contains("lock"), "credit #\(index): \(finished.stderr)")
        }

        // Every credit is in the ledger exactly once, locally and on the remote.
        let synced = try Processes.dtrain(["sync"], spool: spool)
        #expect(synced.status == 0, "\(synced.stderr)")
        let wallets = try Processes.dtrain(["wallet", "--all", "--json"], spool: spool)
        let rows = try #require(
            try JSONSerialization.jsonObject(with: Data(wallets.stdout.utf8)) as? [[String: Any]])
        let users = rows.filter { ($0["account"] as? String)?.hasPrefix("user:") == true }
        #expect(users.count == count)
        #expect(users.allSatisfy { $0["balance"] as? Int == 100 })
        let log = try Processes.git(["--git-dir", remote, "rev-list", "--count", "main"])
        #expect(log.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "\(count + 1)")

        let verified = try Processes.dtrain(["verify"], spool: spool)
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        let fsck = try Processes.git(["--git-dir", remote, "fsck", "--strict"])
        #expect(fsck.status == 0, "\(fsck.stderr)")
    }
}

/// Results written from concurrent iterations, one slot each.
private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Result<ProcessResult, any Error>?]

    init(count: Int) {
        slots = Array(repeating: nil, count: count)
    }

    func set(_ index: Int, _ result: Result<ProcessResult, any Error>) {
        lock.lock()
        slots[index] = result
        lock.unlock()
    }

    var all: [Result<ProcessResult, any Error>] {
        lock.lock()
        defer { lock.unlock() }
        return slots.map { $0 ?? .failure(CancellationError()) }
    }
}
