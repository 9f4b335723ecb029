import Foundation

/// What a program printed and how it ended, with its wall-clock time.
struct SubprocessResult: Sendable {
    var status: Int32
    var stdout: String
    var stderr: String
    var seconds: Double
}

/// Runs other programs to their end: the real `dtrain` binary and, as the
/// floor, `git`.
///
/// The benchmark measures what a user would see, so it starts the same
/// executables a user would; both pipes are drained at once so a chatty child
/// never blocks on a full pipe.
enum Subprocess {
    static func run(
        _ executable: String, _ arguments: [String], in directory: String? = nil,
        environment: [String: String] = [:]
    ) throws -> SubprocessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        var merged = ProcessInfo.processInfo.environment
        merged.removeValue(forKey: "DTRAIN_SPOOL")
        merged.merge(environment) { $1 }
        process.environment = merged
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice

        let clock = Stopwatch()
        try process.run()

        // stderr on another thread, stdout here, then reap the child.
        let errBox = DataBox()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errBox.set(err.fileHandleForReading.readDataToEndOfFile())
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return SubprocessResult(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errBox.get(), as: UTF8.self), seconds: clock.seconds)
    }

    /// The git command line tool, for the floor section only.
    static let gitPath: String? = ["/usr/bin/git", "/usr/local/bin/git", "/bin/git"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }
}

/// Bytes handed from a reader thread back to the caller.
private final class DataBox: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()

    func set(_ value: Data) {
        lock.withLock { data = value }
    }

    func get() -> Data {
        lock.withLock { data }
    }
}
