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
    // FIXME: only the program itself is signalled; a child it started (say a
    // `sleep` in a shell script) lives on until it ends by itself.
    func wait(timeoutSeconds: Double) -> Bool {
        if finished.wait(timeout: .now() + timeoutSeconds) == .success { return true }
        process.terminate()
        if finished.wait(timeout: .now() + 1) == .timedOut {
            kill(process.processIdentifier, SIGKILL)
            finished.wait()
        }
        return false
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
