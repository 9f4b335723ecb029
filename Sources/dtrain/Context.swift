import DTrainCore
import Foundation

/// What every command needs beyond its own options: where the spool is, who acts, how to print.
struct Context {
    let invocation: Invocation
    let console: Console

    init(invocation: Invocation) {
        self.invocation = invocation
        let level: Console.Level =
            invocation.flag("quiet") ? .error : invocation.flag("verbose") ? .info : .notice
        self.console = Console(json: invocation.flag("json"), level: level)
    }

    /// `--spool`, then `$DTRAIN_SPOOL`, then the current folder if it is a spool, else ./spool.
    var spoolPath: String {
        if let path = invocation.value("spool"), !path.isEmpty { return path }
        if let path = ProcessInfo.processInfo.environment["DTRAIN_SPOOL"], !path.isEmpty {
            return path
        }
        let here = FileManager.default.currentDirectoryPath
        if FileManager.default.fileExists(atPath: here + "/.git/dtrain")
            || FileManager.default.fileExists(atPath: here + "/dtrain/settings.json")
        {
            return here
        }
        return "spool"
    }

    /// Where `init` and `clone` put a new spool: DIR, `--spool`, `$DTRAIN_SPOOL`, else
    /// ./spool — the same order later commands look in, so they find it.
    func newSpoolPath(_ positional: String?) -> String {
        if let path = positional ?? invocation.value("spool"), !path.isEmpty { return path }
        if let path = ProcessInfo.processInfo.environment["DTRAIN_SPOOL"], !path.isEmpty {
            return path
        }
        return "spool"
    }

    /// Opens the spool; when none was named and the fallback ./spool is not there, says
    /// where dtrain looked instead of "spool is not a dtrain spool".
    func openSpool() throws -> Spool {
        if invocation.value("spool") == "" {
            throw UsageError("--spool needs a folder, not an empty string")
        }
        let path = spoolPath
        let named =
            invocation.value("spool") != nil
            || !(ProcessInfo.processInfo.environment["DTRAIN_SPOOL"] ?? "").isEmpty
        if !named, path == "spool", !FileManager.default.fileExists(atPath: path) {
            throw NoSpoolError()
        }
        return try Spool.open(at: path)
    }

    /// `--as`, else the clone's configured user.
    func actor(_ spool: Spool) throws -> String {
        if let name = invocation.value("as") { return name }
        if let name = spool.settings.user { return name }
        throw SpoolError.noIdentity
    }

    /// Resolves what the user typed (a whole id, or a unique prefix or suffix) to a job id.
    func resolveJob(_ text: String, in spool: Spool) throws -> String {
        let matches = try spool.index().jobIDs(matching: text)
        if matches.contains(text) { return text }

        // 'cancel 1' must not act on whichever job happens to end in 1.
        guard text.count >= Self.shortestJobReference || matches.isEmpty else {
            throw UsageError(
                "'\(text)' is too short to name a job: give its whole id, or at least "
                    + "\(Self.shortestJobReference) characters of its start or its end")
        }
        switch matches.count {
        case 0: throw SpoolError.jobNotFound(text)
        case 1: return matches[0]
        default: throw SpoolError.ambiguousJob(text, matches)
        }
    }
}

extension Context {
    /// The fewest characters of a job id that may stand for it, as with git's abbreviations.
    static let shortestJobReference = 4
}

/// stdout for results, stderr for everything said along the way (with levels, as swift-log).
struct Console: Sendable {
    enum Level: Int, Comparable, Sendable {
        case debug, info, notice, warning, error

        static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    var json: Bool
    var level: Level

    /// Prints a result: the human text, or the value as JSON under `--json`.
    func result<T: Encodable>(_ value: T, human: () -> String) throws {
        if json {
            let data = try CanonicalJSON.encode(value)
            FileHandle.standardOutput.write(data)
        } else {
            let text = human()
            print(text, terminator: text.hasSuffix("\n") || text.isEmpty ? "" : "\n")
        }
    }

    func say(_ message: String, level: Level = .notice) {
        guard level >= self.level else { return }
        let prefix = level >= .warning ? "dtrain: \(level == .error ? "error" : "warning"): " : ""
        FileHandle.standardError.write(Data((prefix + message + "\n").utf8))
    }

    func warn(_ message: String) { say(message, level: .warning) }
    func info(_ message: String) { say(message, level: .info) }
}

extension Context {
    /// Offline first: every change is committed locally, then delivered when a remote
    /// answers. An unreachable remote is a notice, not a failure; a change the remote no
    /// longer accepts is an error (exit 6).
    func deliver(_ spool: Spool) throws {
        guard spool.settings.remote != nil else { return }
        let report: SyncReport
        do {
            report = try spool.sync()
        } catch let error as SyncError where error.keepsLocalWork {
            keptLocally(error)
            return
        } catch let error as SpoolError {
            // The change is committed; only its delivery met a lock in this clone.
            guard case .locked = error else { throw error }
            keptLocally(error)
            return
        }
        guard report.dropped.isEmpty else {
            throw DeliveryError(dropped: report.dropped)
        }
    }
}

extension Context {
    /// Says that a change is committed here and waits for `dtrain sync`: repeating the
    /// command would make it twice.
    func keptLocally(_ why: Error) {
        console.say(
            "saved locally; not delivered (\(why)). 'dtrain sync' will deliver it; "
                + "do not repeat the command.")
    }
}

/// Local changes the remote's newer state made impossible; they were not delivered.
struct DeliveryError: DTrainError {
    var dropped: [DroppedChange]

    var exitStatus: ExitStatus { .conflict }

    var description: String {
        "the remote moved on and refused: "
            + dropped.map { "'\($0.summary)': \($0.reason)" }.joined(separator: "; ")
    }
}

/// No spool was named and none was found where dtrain looks by default.
struct NoSpoolError: DTrainError {
    var exitStatus: ExitStatus { .notFound }

    var description: String {
        "no spool here: this folder is not one and has no ./spool; give --spool DIR or set "
            + "DTRAIN_SPOOL, or make one with 'dtrain clone URL' or 'dtrain init'"
    }
}
