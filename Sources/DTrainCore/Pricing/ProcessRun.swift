import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One run of an outside program with stdin and stdout in files, and a
/// deadline enforced with SIGTERM, then SIGKILL.
final class ProcessRun {
    private let process = Process()
    private let finished = DispatchSemaphore(value: 0)
    private let stdoutPath: String
    private let stderrPath: String

    /// Largest stdout or stderr read back; an answer is a few bytes.
    private static let outputLimit = 4_096

    init(executable: String, arguments: [String], stdin: Data, scratch: URL) throws {
        let stdinPath = scratch.appendingPathComponent("stdin.json").path
        stdoutPath = scratch.appendingPathComponent("stdout").path
        stderrPath = scratch.appendingPathComponent("stderr").path
        try stdin.write(to: URL(fileURLWithPath: stdinPath))
        for path in [stdoutPath, stderrPath] {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
            }
        }
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle(forReadingAtPath: stdinPath)
        process.standardOutput = FileHandle(forWritingAtPath: stdoutPath)
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        let finished = finished
        process.terminationHandler = { _ in finished.signal() }
        try process.run()
    }

    /// Waits up to `timeoutSeconds`; returns false (after stopping the program)
    /// when it did not finish in time.
    ///
    /// Foundation on Linux starts the program as the leader of its own process
    /// group (`POSIX_SPAWN_SETPGROUP`), so the signals go to the whole group: a
    /// `sleep` a shell script started dies with the script instead of
    /// lingering.
    // FIXME: a child that leaves the group (setsid, a daemon) is not signalled
    // and, holding Foundation's exit socket, delays the answer until it ends.
    func wait(timeoutSeconds: Double) -> Bool {
        if finished.wait(timeout: .now() + timeoutSeconds) == .success { return true }
        signalGroup(SIGTERM)
        if finished.wait(timeout: .now() + 1) == .timedOut {
            signalGroup(SIGKILL)
            finished.wait()
        } else {
            // The leader obeyed; anything it started that did not is killed.
            signalGroup(SIGKILL)
        }
        return false
    }

    /// Signals the program's process group, and the program itself in case it
    /// was not made a group leader. A failure (ESRCH: already gone) is fine.
    private func signalGroup(_ signal: Int32) {
        let pid = process.processIdentifier
        _ = kill(-pid, signal)
        _ = kill(pid, signal)
    }

    /// Why the run failed (signal or non-zero exit, with stderr's first line),
    /// or nil when it exited 0.
    var failure: String? {
        let status = process.terminationStatus
        let detail =
            Self.read(stderrPath).split(whereSeparator: \.isNewline).first
            .map { ": \($0)" } ?? ""
        switch process.terminationReason {
        case .uncaughtSignal: return "was killed by signal \(status)\(detail)"
        case .exit where status != 0: return "exited with status \(status)\(detail)"
        default: return nil
        }
    }

    var stdout: String { Self.read(stdoutPath) }

    private static func read(_ path: String) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { return "" }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: outputLimit)) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
