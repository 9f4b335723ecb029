import Foundation
import Testing

@testable import GitKit

@Suite(
    "GitKit remotes over ssh (real sshd on 127.0.0.1)",
    .enabled(
        if: SSHServer.unavailableReason == nil,
        "SKIPPED LOUDLY: \(SSHServer.unavailableReason ?? "")"))
struct RemoteSSHTests {
    @Test("push, fetch and list refs over ssh; stale pushes are rejected")
    func roundTrip() throws {
        let server = try SSHServer()
        let remotePath = server.directory + "/remote.git"
        _ = try Repository.create(at: remotePath, bare: true)
        let url = server.url(remotePath)
        let alice = try Repository.create(at: server.directory + "/alice.git", bare: true)
        let base = try alice.commitFiles(["spool.json": "{}"], parent: nil, message: "init\n")
        let next = try alice.commitFiles(["jobs/a": "a"], parent: base, message: "a\n")

        // Create main (must not exist), then move it with the right expected
        // value.
        let created = try alice.push(
            url: url, localRef: base, remoteRef: "refs/heads/main", expected: nil,
            credentials: server.credentials)
        #expect(created.isAccepted, "\(created)")
        let moved = try alice.push(
            url: url, localRef: next, remoteRef: "refs/heads/main", expected: base,
            credentials: server.credentials)
        #expect(moved.isAccepted, "\(moved)")
        #expect(try git(["rev-parse", "main"], in: remotePath) == next.hex + "\n")

        // A second creator and a stale expected value both lose.
        let again = try alice.push(
            url: url, localRef: base, remoteRef: "refs/heads/main", expected: nil,
            credentials: server.credentials)
        #expect(again.rejected != nil)
        let stale = try alice.push(
            url: url, localRef: base, remoteRef: "refs/heads/main", expected: base,
            credentials: server.credentials)
        #expect(stale.rejected != nil)
        #expect(try git(["rev-parse", "main"], in: remotePath) == next.hex + "\n")

        // Another clone fetches and lists over ssh.
        let bob = try Repository.clone(
            url: url, to: server.directory + "/bob.git",
            refspecs: ["+refs/heads/*:refs/remotes/origin/*"], credentials: server.credentials)
        #expect(try bob.reference("refs/remotes/origin/main") == next)
        #expect(try bob.commits(from: next, excluding: nil) == [base, next])
        let listed = try bob.remoteReferences(url: url, credentials: server.credentials)
        #expect(listed.first { $0.name == "refs/heads/main" }?.id == next)

        // Deleting over ssh honours the expected value too.
        let claim = "refs/claims/job-1"
        let claimed = try bob.push(
            url: url, localRef: base, remoteRef: claim, expected: nil,
            credentials: server.credentials)
        #expect(claimed.isAccepted, "\(claimed)")
        let deleteStale = try bob.push(
            url: url, localRef: nil, remoteRef: claim, expected: next,
            credentials: server.credentials)
        #expect(deleteStale.rejected != nil)
        let deleted = try bob.push(
            url: url, localRef: nil, remoteRef: claim, expected: base,
            credentials: server.credentials)
        #expect(deleted.isAccepted, "\(deleted)")
        #expect(try Repository.open(at: remotePath).reference(claim) == nil)

        // receive-pack's own refusals come back as `rejected` with its reason.
        let headDelete = try bob.push(
            url: url, localRef: nil, remoteRef: "refs/heads/main", expected: next,
            credentials: server.credentials)
        #expect(headDelete.rejected?.contains("current branch") == true, "\(headDelete)")
        #expect(try Repository.open(at: remotePath).reference("refs/heads/main") == next)
        #expect(try bob.references(glob: "refs/dtrain-push/*").isEmpty)
        try expectFsckClean(remotePath)
    }

    @Test("a ref moved mid-push is refused by receive-pack, via the status callback")
    func raceDuringPush() throws {
        let server = try SSHServer()
        let remotePath = server.directory + "/remote.git"
        let remote = try Repository.create(at: remotePath, bare: true)
        let base = try remote.commitFiles(["f": "0"], parent: nil, message: "0\n")
        try remote.setReference("refs/heads/main", to: base, expected: nil, message: "t")
        let sneaky = try remote.commitFiles(["f": "sneaky"], parent: base, message: "s\n")

        let clone = try Repository.create(at: server.directory + "/clone.git", bare: true)
        try clone.fetch(
            url: server.url(remotePath), refspecs: ["+refs/heads/*:refs/remotes/origin/*"],
            credentials: server.credentials)
        let mine = try clone.commitFiles(["f": "mine"], parent: base, message: "mine\n")

        // After our check of the advertisement, someone else moves main.
        let result = try clone.pushOverNetwork(
            url: server.url(remotePath), localRef: mine, remoteRef: "refs/heads/main",
            expected: base, credentials: server.credentials,
            beforeUpload: {
                try? Repository.open(at: remotePath).setReference(
                    "refs/heads/main", to: sneaky, expected: base, message: "sneak")
            })
        #expect(result.rejected != nil, "\(result)")
        #expect(try Repository.open(at: remotePath).reference("refs/heads/main") == sneaky)
        try expectFsckClean(remotePath)
    }

    @Test("a key the server does not accept fails fast with a clear message")
    func wrongKey() throws {
        let server = try SSHServer()
        let remotePath = server.directory + "/remote.git"
        _ = try Repository.create(at: remotePath, bare: true)
        let clone = try Repository.create(at: server.directory + "/clone.git", bare: true)
        let stranger = try server.strangerKey()
        let credentials = Credentials(
            privateKey: stranger, publicKey: nil, knownHosts: server.knownHosts, user: nil)

        let started = Date()
        let error = #expect(throws: GitError.self) {
            try clone.remoteReferences(url: server.url(remotePath), credentials: credentials)
        }
        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed < 10, "took \(elapsed) s")
        #expect(error?.isAuthentication == true, "\(String(describing: error))")
        #expect(error?.message.contains(stranger) == true, "\(String(describing: error))")
    }

    @Test("unknown and mismatched host keys are refused; hashed known_hosts works")
    func hostKeys() throws {
        let server = try SSHServer()
        let remotePath = server.directory + "/remote.git"
        _ = try Repository.create(at: remotePath, bare: true)
        let clone = try Repository.create(at: server.directory + "/clone.git", bare: true)
        let url = server.url(remotePath)
        func credentials(_ knownHosts: String) -> Credentials {
            Credentials(
                privateKey: server.clientKey, publicKey: nil, knownHosts: knownHosts, user: nil)
        }

        // Empty known_hosts: unknown host.
        let empty = server.directory + "/empty_known_hosts"
        try "".write(toFile: empty, atomically: true, encoding: .utf8)
        let unknown = #expect(throws: GitError.self) {
            try clone.remoteReferences(url: url, credentials: credentials(empty))
        }
        #expect(unknown?.isCertificate == true, "\(String(describing: unknown))")
        #expect(unknown?.message.contains("unknown") == true)
        #expect(unknown?.message.contains("ssh-keyscan -p \(server.port)") == true)

        // Another key listed for this host: mismatch.
        let other = server.directory + "/other_known_hosts"
        let otherKey = try String(
            contentsOfFile: try server.strangerKey() + ".pub", encoding: .utf8)
        let fields = otherKey.split(separator: " ").prefix(2).joined(separator: " ")
        try "[127.0.0.1]:\(server.port) \(fields)\n"
            .write(toFile: other, atomically: true, encoding: .utf8)
        let mismatch = #expect(throws: GitError.self) {
            try clone.remoteReferences(url: url, credentials: credentials(other))
        }
        #expect(mismatch?.isCertificate == true)
        #expect(mismatch?.message.contains("MISMATCH") == true, "\(String(describing: mismatch))")

        // The right key, hashed by ssh-keygen -H as Debian's ssh does.
        let hashed = server.directory + "/hashed_known_hosts"
        try FileManager.default.copyItem(atPath: server.knownHosts, toPath: hashed)
        let hashing = try runProgram("/usr/bin/ssh-keygen", ["-H", "-f", hashed])
        #expect(hashing.status == 0, "\(hashing.errors)")
        let hashedText = try String(contentsOfFile: hashed, encoding: .utf8)
        #expect(hashedText.hasPrefix("|1|"))
        let listed = try clone.remoteReferences(url: url, credentials: credentials(hashed))
        #expect(listed.allSatisfy { !$0.name.isEmpty })
    }
}
