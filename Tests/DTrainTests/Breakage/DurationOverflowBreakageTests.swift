import Foundation
import Testing

/// Durations too large for 64 bits, typed by a careless user.
///
/// Found by hand: `dtrain submit job.zip --main train.py --timeout
/// 999999999999999999d` died with "Swift runtime failure: arithmetic
/// overflow" and a backtrace (signal 4) instead of a usage error, because the
/// number of days was multiplied into seconds unchecked. `worker run --poll`
/// and `init --lease` parse durations the same way.
@Suite("breakage: durations that overflow")
struct DurationOverflowBreakageTests {
    @Test(
        "an overflowing duration is a usage error, not a crash",
        arguments: [
            ["submit", "JOB", "--main", "train.py", "--timeout", "999999999999999999d"],
            ["submit", "JOB", "--main", "train.py", "--timeout", "106751991167301d1d"],
            ["submit", "JOB", "--main", "train.py", "--timeout", "9223372036854775807s1s"],
            ["worker", "run", "--once", "--poll", "999999999999999999h"],
        ])
    func overflow(arguments: [String]) throws {
        let directory = try TemporaryDirectory("brk-duration")
        let spool = directory.file("spool")
        let created = try Processes.dtrain(["init", spool, "--as", "admin"])
        try #require(created.status == 0, "\(created.stderr)")
        let zip = try JobZips.sklearnZip(in: directory)
        let command = arguments.map { $0 == "JOB" ? zip : $0 }

        let result = try Processes.dtrain(command, spool: spool, as: "admin")
        #expect(result.status == 2, "\(command): \(result.status) \(result.stderr)")
        #expect(result.stderr.hasPrefix("dtrain: error: bad --"), "\(result.stderr)")
        #expect(!result.stderr.contains("Backtrac"))
        let refs = try Processes.git(["--git-dir", spool + "/.git", "for-each-ref", "refs/dtrain"])
        #expect(refs.stdout.isEmpty)
    }

    @Test("an overflowing lease is refused by init, which creates nothing")
    func lease() throws {
        let directory = try TemporaryDirectory("brk-lease")
        let spool = directory.file("spool")
        let result = try Processes.dtrain(
            ["init", spool, "--as", "admin", "--lease", "999999999999999999d"])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(!result.stderr.contains("Backtrac"))
        #expect(!FileManager.default.fileExists(atPath: spool + "/.git"))
    }
}
