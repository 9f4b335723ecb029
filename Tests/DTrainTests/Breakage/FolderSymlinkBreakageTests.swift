import Foundation
import Testing

/// A folder submitted straight (`dtrain submit ./job --main train.py`) that
/// holds symlinks, one of them to `/etc`.
///
/// Found by hand: the links were left out, rightly (nothing outside the folder
/// may leak into the spool), but without a word: a job whose `data` is a
/// symlink to a dataset was priced and stored without its data, and the user
/// learned it only from the failed run.
@Suite("breakage: folders with symlinks")
struct FolderSymlinkBreakageTests {
    @Test("symlinks are left out, never followed, and the user is told")
    func symlinksReported() throws {
        let directory = try TemporaryDirectory("brk-links")
        let spool = directory.file("spool")
        let created = try Processes.dtrain(["init", spool, "--as", "admin"])
        try #require(created.status == 0, "\(created.stderr)")
        let job = directory.file("job")
        try FileManager.default.createDirectory(atPath: job, withIntermediateDirectories: true)
        try Data("print(1)\n".utf8).write(to: URL(fileURLWithPath: job + "/train.py"))
        try FileManager.default.createSymbolicLink(
            atPath: job + "/etc", withDestinationPath: "/etc")
        try FileManager.default.createSymbolicLink(
            atPath: job + "/passwd", withDestinationPath: "/etc/passwd")

        let quoted = try Processes.dtrain(["quote", job, "--main", "train.py"], spool: spool)
        #expect(quoted.status == 0, "\(quoted.stderr)")
        #expect(
            quoted.stderr.contains("dtrain: warning: left out 2 symlink(s)"), "\(quoted.stderr)")

        let submitted = try Processes.dtrain(
            ["submit", job, "--main", "train.py", "--json"], spool: spool, as: "admin")
        #expect(submitted.status == 0, "\(submitted.stderr)")
        #expect(submitted.stderr.contains("etc, passwd"), "\(submitted.stderr)")
        #expect(submitted.stdout.contains("\"name\" : \"job\""))
        // Only train.py was stored.
        let object = try JSONSerialization.jsonObject(with: Data(submitted.stdout.utf8))
        let id = try #require((object as? [String: Any])?["id"] as? String)
        let shown = try Processes.dtrain(["show", id, "--json"], spool: spool)
        #expect(shown.stdout.contains("\"files\" : 1,"), "\(shown.stdout)")
    }
}
