import Foundation
import Testing

/// `dtrain init a --remote shared/x.git` (a relative path without "./") failed with
/// "cannot reach the remote" and left `a` behind as a local-only spool: no remote can be
/// added later, and running init again refused the folder. A newcomer was stuck.
@Suite("newcomer: init --remote")
struct InitRemoteTests {
    @Test("a relative remote path is created like an absolute one")
    func relativeRemote() throws {
        let directory = try TemporaryDirectory("newcomer-init-remote")
        let created = try Processes.dtrain(
            ["init", "a", "--remote", "shared/x.git", "--as", "admin"], in: directory.path)
        #expect(created.status == 0, "\(created.stderr)")
        let head = directory.file("shared/x.git/refs/heads/main")
        #expect(FileManager.default.fileExists(atPath: head))

        let status = try Processes.dtrain(["status"], spool: directory.file("a"))
        // Remembered as an absolute path, so it means the same folder from anywhere.
        #expect(
            status.stdout.contains("remote  \(directory.file("shared/x.git"))"), "\(status.stdout)")
    }

    @Test("when the remote cannot be made, init leaves nothing behind and can be rerun")
    func failedRemoteLeavesNothing() throws {
        let directory = try TemporaryDirectory("newcomer-init-remote")
        let blocker = directory.file("blocker")
        try Data("a file, not a folder".utf8).write(to: URL(fileURLWithPath: blocker))
        let failed = try Processes.dtrain(
            ["init", "a", "--remote", blocker + "/x.git", "--as", "admin"], in: directory.path)
        #expect(failed.status != 0)
        #expect(!FileManager.default.fileExists(atPath: directory.file("a")))

        let retried = try Processes.dtrain(
            ["init", "a", "--remote", directory.file("ok.git"), "--as", "admin"],
            in: directory.path)
        #expect(retried.status == 0, "\(retried.stderr)")
    }

    @Test("a folder that existed before keeps its files; only the new .git goes")
    func existingFolderKeepsFiles() throws {
        let directory = try TemporaryDirectory("newcomer-init-remote")
        let folder = directory.file("spool")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let readme = folder + "/README.md"
        try Data("kept".utf8).write(to: URL(fileURLWithPath: readme))
        let blocker = directory.file("blocker")
        try Data("a file".utf8).write(to: URL(fileURLWithPath: blocker))

        let failed = try Processes.dtrain(
            ["init", folder, "--remote", blocker + "/x.git"], in: directory.path)
        #expect(failed.status != 0)
        #expect(FileManager.default.fileExists(atPath: readme))
        #expect(!FileManager.default.fileExists(atPath: folder + "/.git"))
    }
}
