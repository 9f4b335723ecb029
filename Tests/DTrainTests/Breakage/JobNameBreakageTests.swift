import Foundation
import Testing

/// Job names that forge output: `--name $'digits\nstate    succeeded'`.
///
/// Found by hand: the name went verbatim into the `dtrain jobs` table, `dtrain
/// show` and the commit subject, so a newline in it printed a line of its own
/// that looked like dtrain's ("state    succeeded"). An empty `--name ''` was
/// taken too, leaving a job nobody can tell apart in a listing.
@Suite("breakage: job names")
struct JobNameBreakageTests {
    let directory: TemporaryDirectory
    let spool: String

    init() throws {
        directory = try TemporaryDirectory("brk-name")
        spool = directory.file("spool")
        let created = try Processes.dtrain(["init", spool, "--as", "admin"])
        try #require(created.status == 0, "\(created.stderr)")
    }

    @Test(
        "names with line breaks, control characters, or nothing are refused",
        arguments: ["digits\nstate    succeeded", "a\rb", "\u{1b}[2Jx", "", "a\u{2028}b"])
    func refused(name: String) throws {
        let zip = try JobZips.sklearnZip(in: directory)
        let result = try Processes.dtrain(
            ["submit", zip, "--main", "train.py", "--name", name], spool: spool, as: "admin")
        #expect(result.status == 2, "\(name.debugDescription): \(result.stdout)\(result.stderr)")
        #expect(result.stderr.hasPrefix("dtrain: error: job name"))
        let refs = try Processes.git(["--git-dir", spool + "/.git", "for-each-ref", "refs/dtrain"])
        #expect(refs.stdout.isEmpty)
    }

    @Test("ordinary names, spaces and all, are kept")
    func kept() throws {
        let zip = try JobZips.sklearnZip(in: directory)
        let result = try Processes.dtrain(
            ["submit", zip, "--main", "train.py", "--name", "digits v2 (café)"], spool: spool,
            as: "admin")
        #expect(result.status == 0, "\(result.stderr)")
        let listed = try Processes.dtrain(["jobs"], spool: spool)
        #expect(listed.stdout.contains("digits v2 (café)"))
    }
}
