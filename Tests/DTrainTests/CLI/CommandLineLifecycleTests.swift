import Foundation
import Testing

/// Drives the real `dtrain` binary through a whole local lifecycle, as a user would.
@Suite("dtrain command line")
struct CommandLineLifecycleTests {
    let directory: TemporaryDirectory
    let spool: String

    init() throws {
        directory = try TemporaryDirectory("cli")
        spool = directory.file("spool")
        let created = try Processes.dtrain(["init", spool, "--as", "admin"])
        try #require(created.status == 0, "\(created.stderr)")
    }

    func json(_ result: ProcessResult) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        return try #require(object as? [String: Any], "not a JSON object: \(result.stdout)")
    }

    @Test("init, credit, submit, publish, cancel, wallet")
    func lifecycle() throws {
        let credit = try Processes.dtrain(
            ["credit", "alice", "50.25", "--memo", "grant"], spool: spool)
        #expect(credit.status == 0, "\(credit.stderr)")
        #expect(credit.stdout.contains("INR 50.25"))

        let zip = try JobZips.sklearnZip(in: directory)
        let submitted = try Processes.dtrain(
            [
                "submit", zip, "--main", "train.py", "--name", "digits", "--timeout", "30m",
                "--json",
            ],
            spool: spool, as: "alice")
        #expect(submitted.status == 0, "\(submitted.stderr)")
        let job = try json(submitted)
        let id = try #require(job["id"] as? String)
        #expect(job["state"] as? String == "draft")
        #expect(job["price"] as? Int == 2_000)

        let published = try Processes.dtrain(
            ["publish", String(id.suffix(6))], spool: spool, as: "alice")
        #expect(published.status == 0, "\(published.stderr)")
        #expect(published.stdout.contains("INR 20.00 reserved"))

        let listed = try Processes.dtrain(["jobs", "--state", "published", "--json"], spool: spool)
        #expect(listed.stdout.contains(id))

        let cancelled = try Processes.dtrain(["cancel", id], spool: spool, as: "alice")
        #expect(cancelled.status == 0, "\(cancelled.stderr)")

        let wallet = try Processes.dtrain(["wallet", "alice", "--json"], spool: spool)
        #expect(try json(wallet)["balance"] as? Int == 5_025)
        let human = try Processes.dtrain(["wallet"], spool: spool, as: "alice")
        #expect(human.stdout.contains("user:alice: INR 50.25"))
        #expect(human.stdout.contains("reserve"))
        #expect(human.stdout.contains("release"))

        // The cancelled job's emptied escrow is not listed among the balances for ever.
        let all = try Processes.dtrain(["wallet", "--all"], spool: spool)
        #expect(all.stdout.contains("user:alice"), "\(all.stdout)")
        #expect(!all.stdout.contains("escrow:"), "\(all.stdout)")
        let both = try Processes.dtrain(["wallet", "--all", "alice"], spool: spool)
        #expect(both.status == 2, "\(both.stderr)")

        let shown = try Processes.dtrain(["show", id], spool: spool)
        #expect(shown.stdout.contains("cancelled by alice"))

        let verified = try Processes.dtrain(["verify"], spool: spool)
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        #expect(verified.stdout.hasPrefix("OK"))
    }

    @Test(
        "exit codes name what went wrong",
        arguments: [
            (["frobnicate"], 2),
            (["submit", "/nonexistent.zip", "--main", "x.py"], 3),
            (["show", "nope"], 3),
            (["credit", "bob", "-5"], 2),
            (["credit", "bob", "1.234"], 4),
            (["wallet", "user:"], 2),
            (["worker", "register", "--log-interval", "1e-9"], 2),
            (["worker", "run", "--poll", "0"], 2),
            (["wallet", "bogus:x"], 2),
        ] as [([String], Int32)])
    func exitCodes(arguments: [String], status: Int32) throws {
        let result = try Processes.dtrain(arguments, spool: spool, as: "admin")
        #expect(result.status == status, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("dtrain: error: "))
    }

    @Test("a step the user may not take exits 9 and changes nothing")
    func notPermitted() throws {
        let zip = try JobZips.sklearnZip(in: directory)
        let submitted = try Processes.dtrain(
            ["submit", zip, "--main", "train.py", "--json"], spool: spool, as: "alice")
        let id = try #require(try json(submitted)["id"] as? String)
        let before = try Processes.git(["--git-dir", spool + "/.git", "rev-parse", "main"])

        let credit = try Processes.dtrain(["credit", "bob", "5"], spool: spool, as: "bob")
        #expect(credit.status == 9, "\(credit.stderr)")
        #expect(credit.stderr.hasPrefix("dtrain: error: only an admin may credit"))
        let cancel = try Processes.dtrain(["cancel", id], spool: spool, as: "bob")
        #expect(cancel.status == 9, "\(cancel.stderr)")
        #expect(cancel.stderr.contains("belongs to alice"))

        let after = try Processes.git(["--git-dir", spool + "/.git", "rev-parse", "main"])
        #expect(before.stdout == after.stdout)
    }

    @Test("a non-ZIP is rejected and leaves the spool untouched")
    func rejectedZip() throws {
        let before = try Processes.git(["--git-dir", spool + "/.git", "rev-parse", "main"])
        let junk = directory.file("junk.zip")
        try Data("not a zip at all".utf8).write(to: URL(fileURLWithPath: junk))
        let result = try Processes.dtrain(
            ["submit", junk, "--main", "train.py"], spool: spool, as: "alice")
        #expect(result.status == 4)
        let after = try Processes.git(["--git-dir", spool + "/.git", "rev-parse", "main"])
        #expect(before.stdout == after.stdout)
        let refs = try Processes.git(["--git-dir", spool + "/.git", "for-each-ref", "refs/dtrain"])
        #expect(refs.stdout.isEmpty)
    }

    @Test("insufficient funds exits 5 and the job stays a draft")
    func insufficientFunds() throws {
        let zip = try JobZips.sklearnZip(in: directory)
        let submitted = try Processes.dtrain(
            ["submit", zip, "--main", "train.py", "--json"], spool: spool, as: "alice")
        let id = try #require(try json(submitted)["id"] as? String)
        let result = try Processes.dtrain(["publish", id], spool: spool, as: "alice")
        #expect(result.status == 5)
        #expect(result.stderr.contains("INR 20.00"))
        let shown = try Processes.dtrain(["show", id, "--json"], spool: spool)
        #expect(try json(shown)["state"] as? String == "draft")
    }

    @Test("every command answers --help")
    func help() throws {
        let top = try Processes.dtrain(["--help"])
        #expect(top.status == 0)
        for command in [
            "init", "submit", "quote", "publish", "cancel", "credit", "payout",
            "wallet", "jobs", "show", "verify", "reindex", "config",
        ] {
            #expect(top.stdout.contains("  \(command)"))
            let help = try Processes.dtrain([command, "--help"])
            #expect(help.status == 0)
            #expect(help.stdout.contains("usage: dtrain \(command)"))
        }
    }
}

/// Registering worker nodes and listing them.
@Suite("dtrain workers")
struct WorkerRegistrationTests {
    @Test("register records the machine; workers lists it idle; re-registering updates it")
    func registerAndList() throws {
        let directory = try TemporaryDirectory("workers")
        let spool = directory.file("spool")
        _ = try Processes.dtrain(["init", spool, "--as", "admin"])
        let first = try Processes.dtrain(
            [
                "worker", "register", "--name", "gpu-01", "--min-price", "20", "--label", "site=a",
                "--cpus", "2",
            ],
            spool: spool)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("Registered worker gpu-01"))
        _ = try Processes.dtrain(
            ["worker", "register", "--name", "gpu-01", "--cpus", "1"], spool: spool)

        let listed = try Processes.dtrain(["workers", "--json"], spool: spool)
        let rows = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8))
        let workers = try #require(rows as? [[String: Any]])
        #expect(workers.count == 1)
        #expect(workers.first?["state"] as? String == "idle")
        #expect(workers.first?["cpus"] as? Double == 1)
        #expect((workers.first?["labels"] as? [String: String])?["site"] == "a")
        let human = try Processes.dtrain(["workers"], spool: spool)
        #expect(human.stdout.contains("gpu-01"))
        #expect(try Processes.dtrain(["verify"], spool: spool).status == 0)
    }
}
