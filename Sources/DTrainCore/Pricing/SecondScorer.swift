import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An outside program that gives its own 0-100 score for a job, configured per
/// clone (it may be a model, a lookup, a person's script). The final score is
/// the higher of the rule score and this one, so it can only raise a price.
///
/// The program gets `{"main_path": …, "main_script": …, "requirements":
/// {path: text}}` as JSON on stdin and must print one integer 0-100 on stdout.
/// Anything else — a non-zero exit, other output, a number out of range, no
/// answer within the timeout, a missing program — means no second score, with
/// the reason kept for the quote.
public struct SecondScorer: Codable, Sendable, Equatable {
    /// argv; the first element is a path or a name looked up in `PATH`.
    public var command: [String]
    public var timeoutSeconds: Double

    public init(command: [String], timeoutSeconds: Double) {
        self.command = command
        self.timeoutSeconds = timeoutSeconds
    }

    public enum Outcome: Sendable, Equatable {
        case score(Int)
        case unavailable(reason: String)
    }

    /// What the program reads on stdin.
    struct Input: Codable {
        var requirements: [String: String]
        var mainScript: String
        var mainPath: String

        enum CodingKeys: String, CodingKey {
            case requirements
            case mainScript = "main_script"
            case mainPath = "main_path"
        }
    }

    /// Runs the program once and judges its answer. Blocks for at most the
    /// timeout plus a one-second grace between SIGTERM and SIGKILL.
    public func score(
        requirements: [String: String], mainScript: String, mainPath: String
    ) -> Outcome {
        guard let executable = resolveExecutable() else {
            return .unavailable(
                reason: "second scorer '\(command.first ?? "")' is not an executable file")
        }

        // stdin and stdout go through files, not pipes: no writer blocks on a
        // program that never reads, and no reader waits on a pipe that a
        // stray child of the program still holds open.
        let scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("dtrain-scorer-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let input = Input(requirements: requirements, mainScript: mainScript, mainPath: mainPath)
        let run: ProcessRun
        do {
            try FileManager.default.createDirectory(
                at: scratch, withIntermediateDirectories: true)
            run = try ProcessRun(
                executable: executable, arguments: Array(command.dropFirst()),
                stdin: CanonicalJSON.encode(input), scratch: scratch)
        } catch {
            return .unavailable(reason: "second scorer could not be started: \(error)")
        }

        // Wait, then judge how it ended and what it printed.
        guard run.wait(timeoutSeconds: timeoutSeconds) else {
            return .unavailable(reason: "second scorer gave no answer within \(timeoutSeconds)s")
        }
        if let failure = run.failure { return .unavailable(reason: "second scorer \(failure)") }
        let printed = run.stdout.pipTrimmed()
        guard let value = Int(printed), (0...100).contains(value) else {
            let shown = printed.count > 40 ? String(printed.prefix(40)) + "…" : printed
            return .unavailable(
                reason: "second scorer printed '\(shown)', not an integer from 0 to 100")
        }
        return .score(value)
    }

    /// The program's path: as given when it has a `/`, else the first match in
    /// `PATH`; nil when there is no such executable file.
    private func resolveExecutable() -> String? {
        guard let name = command.first, !name.isEmpty else { return nil }
        let manager = FileManager.default
        if name.contains("/") { return manager.isExecutableFile(atPath: name) ? name : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }
            .first { manager.isExecutableFile(atPath: $0) }
    }
}
