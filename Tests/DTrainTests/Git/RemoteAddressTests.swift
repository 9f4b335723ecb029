import Foundation
import Testing

@testable import GitKit

@Suite("GitKit remote addresses and host key files")
struct RemoteAddressTests {
    @Test("URL forms are classified as git classifies them")
    func urlForms() {
        #expect(RemoteURL("/srv/spool.git") == .local(path: "/srv/spool.git"))
        #expect(RemoteURL("../spool.git") == .local(path: "../spool.git"))
        #expect(RemoteURL("file:///srv/my%20spool.git") == .local(path: "/srv/my spool.git"))
        #expect(
            RemoteURL("ssh://alice@example.org:2222/srv/spool.git")
                == .ssh(user: "alice", host: "example.org", port: 2222))
        #expect(
            RemoteURL("ssh://example.org/srv/spool.git")
                == .ssh(user: nil, host: "example.org", port: 22))
        #expect(
            RemoteURL("git@example.org:team/spool.git")
                == .ssh(user: "git", host: "example.org", port: 22))
        #expect(
            RemoteURL("example.org:spool.git") == .ssh(user: nil, host: "example.org", port: 22))
        #expect(RemoteURL("./odd:name") == .local(path: "./odd:name"))
        #expect(RemoteURL("https://example.org/spool.git") == .other)
    }

    @Test("SHA-1 and HMAC-SHA-1 match the published test vectors")
    func digests() {
        func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
        #expect(hex(SHA1.hash(Array("abc".utf8))) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(hex(SHA1.hash([])) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        let long = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
        #expect(hex(SHA1.hash(Array(long.utf8))) == "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        // RFC 2202, test cases 1 and 6 (a key longer than the block).
        let case1 = SHA1.hmac(
            key: [UInt8](repeating: 0x0B, count: 20), message: Array("Hi There".utf8))
        #expect(hex(case1) == "b617318655057264e28bc0b6fb378c8ef146be00")
        let case6 = SHA1.hmac(
            key: [UInt8](repeating: 0xAA, count: 80),
            message: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8))
        #expect(hex(case6) == "aa4ae5e15272d00e95705637ce8a3b55ed402112")
    }

    @Test("known_hosts: plain, [host]:port, wildcards, negation, revoked")
    func knownHosts() throws {
        let directory = try makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        let good: [UInt8] = Array("good-key".utf8)
        let bad: [UInt8] = Array("other-key".utf8)
        let goodText = Data(good).base64EncodedString()
        let badText = Data(bad).base64EncodedString()
        let file = directory + "/known_hosts"
        try """
        # comment
        alpha.example,10.0.0.1 ssh-ed25519 \(goodText)
        [alpha.example]:2222 ssh-ed25519 \(badText) other port
        *.lab.example,!secret.lab.example ssh-ed25519 \(goodText)
        @revoked * ssh-ed25519 \(badText)
        garbage line
        """.write(toFile: file, atomically: true, encoding: .utf8)
        let hosts = KnownHosts(path: file)
        #expect(hosts.verdict(host: "alpha.example", port: 22, hostKey: good) == .trusted)
        #expect(hosts.verdict(host: "10.0.0.1", port: 22, hostKey: good) == .trusted)
        #expect(hosts.verdict(host: "alpha.example", port: 2222, hostKey: good) == .mismatch)
        #expect(hosts.verdict(host: "gpu1.lab.example", port: 22, hostKey: good) == .trusted)
        #expect(hosts.verdict(host: "secret.lab.example", port: 22, hostKey: good) == .unknown)
        #expect(hosts.verdict(host: "beta.example", port: 22, hostKey: good) == .unknown)
        #expect(hosts.verdict(host: "alpha.example", port: 2222, hostKey: bad) == .revoked)
        let missing = KnownHosts(path: directory + "/absent")
        #expect(missing.verdict(host: "alpha.example", port: 22, hostKey: good) == .unknown)
    }
}
