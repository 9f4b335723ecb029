import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Gives up on a network remote that stops answering.
///
/// libgit2 1.5 has no timeout of its own, and its ssh transport blocks in a
/// read for as long as the peer keeps the connection open. A server that
/// accepts and then says nothing (a hung sshd, a half-dead NAS) would hold a
/// cron worker, and its lock, for ever. The call cannot be cancelled from
/// outside, so when the remote has been silent for `limit` seconds the
/// watchdog shuts down the sockets the call opened; libssh2's blocked read
/// then returns, and libgit2 fails the call like any lost connection.
///
/// Silence is measured from the last sign of life the callbacks see
/// (credentials asked, host key shown, progress of a transfer), so a long
/// download that keeps moving is never cut.
// FIXME: sockets are told apart only as "opened during this call": two calls
// running at once on two threads (a worker's log push beside its main loop)
// may lose each other's connection when one stalls; the other then fails and
// retries. A TCP connect that gets no answer at all is bounded by the kernel
// (about two minutes), not by `limit`.
final class StallWatchdog: @unchecked Sendable {
    /// Seconds of silence before giving up: `DTRAIN_NETWORK_STALL_SECONDS`, or 60.
    static var defaultLimit: TimeInterval {
        let text = ProcessInfo.processInfo.environment["DTRAIN_NETWORK_STALL_SECONDS"]
        guard let text, let seconds = TimeInterval(text), seconds > 0 else { return 60 }
        return seconds
    }

    let limit: TimeInterval
    private let lock = NSLock()
    private var lastActivity = Date()
    private var fired = false
    private var timer: DispatchSourceTimer?
    private let socketsBefore: Set<Int32>

    init(limit: TimeInterval = StallWatchdog.defaultLimit) {
        self.limit = limit
        self.socketsBefore = Self.openSockets()
    }

    /// True once the watchdog has cut the call's connections.
    var hasFired: Bool { lock.withLock { fired } }

    /// A sign of life from the remote: the silence starts again from now.
    func noteActivity() {
        lock.withLock { lastActivity = Date() }
    }

    func start() {
        let timer = DispatchSource.makeTimerSource(queue: .global())
        let period = min(1, limit / 4)
        timer.schedule(deadline: .now() + period, repeating: period)
        timer.setEventHandler { [weak self] in self?.check() }
        self.timer = timer
        timer.resume()
    }

    func stop() {
        timer?.cancel()
        timer = nil
    }

    private func check() {
        let silentFor = lock.withLock { fired ? 0 : Date().timeIntervalSince(lastActivity) }
        guard silentFor >= limit else { return }
        lock.withLock { fired = true }
        for socket in Self.openSockets().subtracting(socketsBefore) where Self.isConnected(socket) {
            _ = shutdown(socket, Int32(SHUT_RDWR))
        }
    }

    /// The descriptors of this process that are sockets, from `/proc/self/fd`.
    private static func openSockets() -> Set<Int32> {
        let folder = "/proc/self/fd"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else {
            return []
        }
        var sockets = Set<Int32>()
        for name in names {
            guard let fd = Int32(name),
                let target = try? FileManager.default.destinationOfSymbolicLink(
                    atPath: folder + "/" + name),
                target.hasPrefix("socket:")
            else { continue }
            sockets.insert(fd)
        }
        return sockets
    }

    /// A stream socket with a peer on the network: never a local pipe or a
    /// Unix socket (the ssh agent, Docker), which must be left alone.
    private static func isConnected(_ socket: Int32) -> Bool {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                getpeername(socket, $0, &length)
            }
        }
        guard named == 0 else { return false }
        let family = Int32(storage.ss_family)
        return family == AF_INET || family == AF_INET6
    }
}
