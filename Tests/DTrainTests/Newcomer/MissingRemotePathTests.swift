import Foundation
import Testing

@testable import DTrainCore

/// A remote that is a path on a shared disk which is not there (not mounted, mistyped)
/// was reported as "unsupported URL protocol" by libgit2, which points at the URL's
/// syntax rather than at the missing folder.
@Suite("newcomer: a remote path that does not exist")
struct MissingRemotePathTests {
    @Test("clone from a missing path names the path, not a URL protocol", arguments: [false, true])
    func cloneFromMissingPath(asFileURL: Bool) throws {
        let directory = try TemporaryDirectory("newcomer-missing-remote")
        let missing = directory.file("not-mounted/spool.git")
        let url = asFileURL ? "file://" + missing : missing
        let cloned = try Processes.dtrain(["clone", url, directory.file("clone")])
        #expect(cloned.status == 7, "\(cloned.stderr)")
        #expect(cloned.stderr.contains("nothing at \(missing)"), "\(cloned.stderr)")
        #expect(!cloned.stderr.contains("unsupported URL protocol"))
        #expect(
            !FileManager.default.fileExists(atPath: directory.file("clone")),
            "a failed clone leaves no folder behind")
    }

    @Test("ssh-style and relative remotes are told apart from paths")
    func localPaths() {
        #expect(SyncError.localPath("/mnt/shared/spool.git") == "/mnt/shared/spool.git")
        #expect(SyncError.localPath("shared/spool.git") == "shared/spool.git")
        #expect(SyncError.localPath("file:///srv/spool.git") == "/srv/spool.git")
        #expect(SyncError.localPath("ssh://dtrain@host:22/srv/dtrain.git") == nil)
        #expect(SyncError.localPath("dtrain@host:/srv/dtrain.git") == nil)
    }
}
