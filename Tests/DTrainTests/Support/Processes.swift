import Foundation

/// The result of running a program to its end.
struct ProcessResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs programs the way a user would: the real `dtrain` binary, or a real `git` to check.
enum Processes {
    /// The `dtrain` executable built beside the test bundle.
    static let dtrainPath: String = {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("dtrain").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory.deleteLastPathComponent()
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/dtrain").path
    }()

    static func run(
        _ executable: String, _ arguments: [String], in directory: String? = nil,
        environment: [String: String] = [:], input: Data? = nil
    ) throws -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "DTRAIN_SPOOL")
        env.merge(environment) { $1 }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        let stdin = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(input) }
        try stdin.fileHandleForWriting.close()

        // Read both pipes concurrently so a chatty child never blocks on a full pipe.
        let box = OutputBox()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            box.setErr(err.fileHandleForReading.readDataToEndOfFile())
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return ProcessResult(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: box.err, as: UTF8.self))
    }

    /// Runs `dtrain ARGS` against `spool` as user `user`.
    static func dtrain(
        _ arguments: [String], spool: String? = nil, as user: String? = nil,
        in directory: String? = nil
    ) throws -> ProcessResult {
        var args = arguments
        if let spool { args += ["--spool", spool] }
        if let user { args += ["--as", user] }
        return try run(dtrainPath, args, in: directory)
    }

    static func git(_ arguments: [String]) throws -> ProcessResult {
        try run("/usr/bin/git", arguments)
    }
}

private final class OutputBox: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()

    func setErr(_ value: Data) {
        lock.lock()
        data = value
        lock.unlock()
    }

    var err: Data {
        lock.lock()
        defer { lock.unlock() }
        return data
    }
}
