import Foundation
import Testing

/// The whole spool protocol over ssh: the real `dtrain` binary against a real sshd on
/// 127.0.0.1 (its own host key, one authorised test key), as a lab with an ssh server has it.
@Suite(
    "dtrain over ssh (real sshd on 127.0.0.1)", .serialized,
    .enabled(
        if: SSHServer.unavailableReason == nil,
        "SKIPPED LOUDLY: \(SSHServer.unavailableReason ?? "")"))
struct SpoolOverSSHTests {
    func dtrain(_ arguments: [String], server: SSHServer, key: String? = nil) throws
        -> ProcessResult
    {
        try Processes.run(
            Processes.dtrainPath, arguments,
            environment: [
                "DTRAIN_SSH_KEY": key ?? server.clientKey, "DTRAIN_KNOWN_HOSTS": server.knownHosts,
                "SSH_AUTH_SOCK": "",
            ])
    }

    @Test("init, clone, submit, publish, claim and sync over ssh")
    func lifecycle() throws {
        let server = try SSHServer()
        let work = try TemporaryDirectory("ssh-spool")
        let remote = server.directory + "/spool.git"
        try #require(try Processes.git(["init", "--bare", "-q", "-b", "main", remote]).status == 0)
        let url = server.url(remote)

        let created = try dtrain(
            ["init", work.file("admin"), "--remote", url, "--as", "admin"], server: server)
        try #require(created.status == 0, "\(created.stderr)")
        let credit = try dtrain(
            ["credit", "alice", "100", "--spool", work.file("admin")], server: server)
        #expect(credit.status == 0, "\(credit.stderr)")

        let cloned = try dtrain(
            ["clone", url, work.file("alice"), "--as", "alice"], server: server)
        try #require(cloned.status == 0, "\(cloned.stderr)")
        let zip = try JobZips.sklearnZip(in: work)
        let submitted = try dtrain(
            ["submit", zip, "--main", "train.py", "--spool", work.file("alice"), "--json"],
            server: server)
        try #require(submitted.status == 0, "\(submitted.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(submitted.stdout.utf8))
        let id = try #require((object as? [String: Any])?["id"] as? String)
        let published = try dtrain(
            ["publish", id, "--spool", work.file("alice")], server: server)
        #expect(published.status == 0, "\(published.stderr)")

        _ = try dtrain(["clone", url, work.file("worker"), "--as", "gpu-01"], server: server)
        let claimed = try dtrain(
            ["worker", "claim", "--spool", work.file("worker")], server: server)
        #expect(claimed.status == 0, "\(claimed.stderr)")
        #expect(claimed.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == id)

        let synced = try dtrain(["sync", "--spool", work.file("alice")], server: server)
        #expect(synced.status == 0, "\(synced.stderr)")
        let shown = try dtrain(["show", id, "--spool", work.file("alice")], server: server)
        #expect(shown.stdout.contains("claimed by gpu-01"))
        let verified = try dtrain(["verify", "--spool", work.file("alice")], server: server)
        #expect(verified.status == 0, "\(verified.stdout)")
        let fsck = try Processes.git(["--git-dir", remote, "fsck", "--strict"])
        #expect(fsck.status == 0, "\(fsck.stderr)")
    }

    @Test("a wrong key fails fast and clearly; an unknown host key is refused")
    func refusals() throws {
        let server = try SSHServer()
        let work = try TemporaryDirectory("ssh-refused")
        let remote = server.directory + "/spool.git"
        try #require(try Processes.git(["init", "--bare", "-q", "-b", "main", remote]).status == 0)
        let url = server.url(remote)
        _ = try dtrain(
            ["init", work.file("admin"), "--remote", url, "--as", "admin"], server: server)

        let started = Date()
        let stranger = try dtrain(
            ["clone", url, work.file("stranger")], server: server, key: try server.strangerKey())
        #expect(Date().timeIntervalSince(started) < 15)
        #expect(stranger.status == 7)
        #expect(stranger.stderr.contains("dtrain: error:"))
        #expect(stranger.stderr.lowercased().contains("auth"), "\(stranger.stderr)")

        let empty = work.file("empty_known_hosts")
        _ = FileManager.default.createFile(atPath: empty, contents: Data())
        let unknown = try Processes.run(
            Processes.dtrainPath, ["clone", url, work.file("unknown")],
            environment: [
                "DTRAIN_SSH_KEY": server.clientKey, "DTRAIN_KNOWN_HOSTS": empty,
                "SSH_AUTH_SOCK": "",
            ])
        #expect(unknown.status == 7)
        #expect(unknown.stderr.lowercased().contains("host"), "\(unknown.stderr)")
        #expect(!FileManager.default.fileExists(atPath: work.file("unknown/.git")))
    }
}
