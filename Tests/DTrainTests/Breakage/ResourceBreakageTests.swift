import Foundation
import Testing

/// Found by hand with `dtrain submit job.zip --main train.py --memory 4m`: the
/// CLI allowed 4 MiB, Docker refuses less than 6 MiB, so every worker handed
/// the job back ("Minimum memory limit allowed is 6MB") until it ran out of
/// retries.
@Suite("breakage: resources no worker can grant")
struct ResourceBreakageTests {
    @Test("less memory than Docker's minimum is refused at submit")
    func tinyMemory() throws {
        let directory = try TemporaryDirectory("brk-memory")
        let spool = directory.file("spool")
        let created = try Processes.dtrain(["init", spool, "--as", "admin"])
        try #require(created.status == 0, "\(created.stderr)")
        let zip = try JobZips.sklearnZip(in: directory)
        let small = try Processes.dtrain(
            ["submit", zip, "--main", "train.py", "--memory", "5m"], spool: spool, as: "admin")
        #expect(small.status == 2, "\(small.stdout)\(small.stderr)")
        #expect(small.stderr.hasPrefix("dtrain: error: memory must be at least 6 MiB"))
        let refs = try Processes.git(["--git-dir", spool + "/.git", "for-each-ref", "refs/dtrain"])
        #expect(refs.stdout.isEmpty)

        let enough = try Processes.dtrain(
            ["submit", zip, "--main", "train.py", "--memory", "6m"], spool: spool, as: "admin")
        #expect(enough.status == 0, "\(enough.stderr)")
    }
}
