import Foundation

/// Programs that run beside the benchmark rather than to completion before it goes on.
extension Subprocess {
    /// Starts a program with its output discarded; the caller waits for it.
    static func start(_ executable: String, _ arguments: [String]) throws -> Process {
        let process = prepared(executable, arguments)
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Runs a program to its end, handing each line of its stdout to `line` as soon as the
    /// line arrives (for timing when output appears).
    static func stream(
        _ executable: String, _ arguments: [String], line: (String) -> Void
    ) throws {
        let process = prepared(executable, arguments)
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()

        var pending = Data()
        while true {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            pending.append(chunk)
            while let newline = pending.firstIndex(of: 0x0A) {
                line(String(decoding: pending[pending.startIndex..<newline], as: UTF8.self))
                pending.removeSubrange(pending.startIndex...newline)
            }
        }
        process.waitUntilExit()
    }

    /// A process for `executable`, with the caller's environment minus `DTRAIN_SPOOL`, so
    /// every command names its spool itself.
    private static func prepared(_ executable: String, _ arguments: [String]) -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "DTRAIN_SPOOL")
        process.environment = environment
        return process
    }
}
