import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One worker run per clone: a `flock` on a file in the clone's local folder.
///
/// cron may start a worker every minute while the last one is still training; the second
/// start must see the lock and leave at once. The kernel drops the lock when the process
/// dies, however it dies, so a crash never leaves a stale lock behind.
public final class WorkerLock {
    private let descriptor: Int32
    public let path: String

    /// Takes the lock or throws `WorkerLockError.busy` naming the holder.
    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw WorkerLockError.cannotOpen(path, String(cString: strerror(errno)))
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            close(fd)
            throw WorkerLockError.busy(holder.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        descriptor = fd
        let note = "pid \(getpid()) since \(Timestamp.iso())\n"
        _ = ftruncate(fd, 0)
        _ = note.withCString { pwrite(fd, $0, strlen($0), 0) }
    }

    deinit {
        _ = ftruncate(descriptor, 0)
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}

public enum WorkerLockError: DTrainError {
    case busy(String)
    case cannotOpen(String, String)

    public var exitStatus: ExitStatus { .conflict }

    /// True when another run holds the lock, which is routine under cron.
    public var isBusy: Bool {
        if case .busy = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .busy(let holder):
            "another worker run is active on this clone (\(holder.isEmpty ? "?" : holder)); "
                + "leaving it alone"
        case .cannotOpen(let path, let why): "cannot open the worker lock \(path): \(why)"
        }
    }
}
