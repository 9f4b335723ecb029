import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A remote that accepts the connection and then says nothing, as a hung sshd
/// or a half-dead NAS does. Before the watchdog, `dtrain clone` waited for ever
/// (measured: still waiting after 40 s), and a cron worker would have held its
/// lock with it.
@Suite("remotes that stop answering")
struct RemoteStallTests {
    @Test(
        "a silent ssh server is given up on with exit 7 and a clear message",
        arguments: [nil, "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"] as [String?])
    func silentServer(greeting: String?) throws {
        let server = try SilentServer(greeting: greeting)
        defer { server.stop() }
        let directory = try TemporaryDirectory("stall")

        let started = Date()
        // timeout(1) turns a hang, the failure this guards against, into exit 124.
        let result = try Processes.run(
            "/usr/bin/timeout",
            [
                "60", Processes.dtrainPath, "clone",
                "ssh://dtrain@127.0.0.1:\(server.port)/spool.git", directory.file("c"),
            ],
            environment: ["DTRAIN_NETWORK_STALL_SECONDS": "2"])

        #expect(result.status == 7, "\(result.stderr)")
        #expect(result.stderr.contains("said nothing for 2 s"), "\(result.stderr)")
        #expect(server.connections >= 1)
        #expect(Date().timeIntervalSince(started) < 60)
    }
}

/// A TCP listener on 127.0.0.1 that accepts, optionally sends one greeting, and
/// then never reads or writes again.
final class SilentServer: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    private let lock = NSLock()
    private var accepted: [Int32] = []

    var connections: Int { lock.withLock { accepted.count } }

    init(greeting: String?) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, length) == 0 && getsockname(listener, $0, &length) == 0
            }
        }
        guard bound, listen(listener, 8) == 0 else {
            close(listener)
            throw POSIXError(.EADDRNOTAVAIL)
        }
        self.listener = listener
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { [self] in acceptForever(greeting: greeting) }
    }

    private func acceptForever(greeting: String?) {
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            if let greeting {
                _ = greeting.withCString { send(connection, $0, strlen($0), 0) }
            }
            lock.withLock { accepted.append(connection) }
        }
    }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for connection in lock.withLock({ accepted }) { close(connection) }
    }
}
