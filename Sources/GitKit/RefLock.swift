import Foundation

/// Ref lock files (`refs/heads/main.lock`): a writer holds one for the
/// milliseconds of a ref update, so one that stays was left by a process
/// killed mid-update (the OOM killer, `kill -9`, a power cut). Left alone it
/// blocks every writer of that ref for ever — in a lab's shared remote, every
/// clone at once.
///
/// GitKit waits out a lock held by a live writer for `patience`, removes one
/// older than `staleAfter`, and otherwise reports it by name so the caller can
/// tell a person which file to look at.
// FIXME: a writer frozen (SIGSTOP, a hung disk) for longer than `staleAfter`
// while holding a lock loses it; when it wakes it renames whatever lock file is
// there, which may by then be another writer's.
public enum RefLock {
    /// Older than this, a lock file is taken to be a killed process's.
    public static let staleAfter: TimeInterval = 60
    /// How long one and the same lock file is waited for before it is reported.
    public static let patience: TimeInterval = 1.5
    /// The longest wait while the lock keeps changing hands (many writers of one ref).
    public static let busiestWait: TimeInterval = 20

    /// Seconds since the lock file was last written, or nil if it is gone.
    public static func age(of path: String) -> TimeInterval? {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        guard let modified = attributes?[.modificationDate] as? Date else { return nil }
        return Date().timeIntervalSince(modified)
    }

    /// Removes `path` if it is a lock file older than `staleAfter`; true if it did.
    @discardableResult
    public static func removeIfStale(_ path: String) -> Bool {
        guard path.hasSuffix(".lock"), let age = age(of: path), age > staleAfter else {
            return false
        }
        return (try? FileManager.default.removeItem(atPath: path)) != nil
    }

    /// Runs `body`; on a lock error, removes a stale lock or waits for a live
    /// one and runs it again. Many writers of one ref hand its lock on quickly,
    /// each a new file, so the wait starts again whenever the lock file changes;
    /// one and the same file that stays for `patience` is rethrown.
    static func waitingOut<T>(_ body: () throws -> T) throws -> T {
        let started = Date()
        var sameSince = Date()
        var seen: Identity?
        var attempt = 0
        while true {
            do {
                return try body()
            } catch let error as GitError where error.isLocked {
                if let file = error.lockFile, removeIfStale(file) { continue }
                let now = Date()
                let current = error.lockFile.flatMap(identity(of:))
                if current != seen {
                    seen = current
                    sameSince = now
                }
                guard now.timeIntervalSince(sameSince) < patience,
                    now.timeIntervalSince(started) < busiestWait
                else { throw error }
                attempt = min(attempt + 1, 4)
                Thread.sleep(forTimeInterval: Double.random(in: 0.02...0.05) * Double(attempt))
            }
        }
    }

    /// Which lock file this is: a new writer's lock is a new file.
    private struct Identity: Equatable {
        var inode: UInt64
        var modified: Date
    }

    private static func identity(of path: String) -> Identity? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            let inode = (attributes[.systemFileNumber] as? NSNumber)?.uint64Value,
            let modified = attributes[.modificationDate] as? Date
        else { return nil }
        return Identity(inode: inode, modified: modified)
    }
}

extension GitError {
    /// The lock file a lock error names: libgit2 says "failed to lock file
    /// '…/refs/heads/main.lock' for writing".
    public var lockFile: String? {
        guard isLocked, let open = message.firstIndex(of: "'") else { return nil }
        let rest = message[message.index(after: open)...]
        guard let close = rest.firstIndex(of: "'") else { return nil }
        let path = String(rest[..<close])
        return path.hasSuffix(".lock") ? path : nil
    }
}
