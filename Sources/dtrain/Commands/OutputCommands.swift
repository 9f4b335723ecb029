import ArchiveKit
import DTrainCore
import Foundation

/// Reading what a job produced: its log (live or final) and its outputs.
enum OutputCommands {
    static let all: [CommandSpec] = [logs, output]

    static let logs = CommandSpec(
        name: "logs", summary: "Print a job's log; --follow keeps printing until it ends.",
        usage: "dtrain logs JOB [--follow] [--raw]",
        options: [
            OptionSpec(name: "follow", short: "f", help: "keep fetching until the job ends"),
            OptionSpec(name: "raw", help: "print the stored lines (time, stream, bytes)"),
        ],
        maxPositionals: 1,
        details: """
            With --follow, exits when the job ends: 0 if it succeeded, 8 if it failed, timed
            out or was cancelled. With --json, one JSON object per line: time, stream, text.
            """
    ) { invocation, context in
        let spool = try context.openSpool()
        let id = try context.resolveJob(invocation.requirePositional(0, "JOB"), in: spool)
        let follow = invocation.flag("follow")
        let raw = invocation.flag("raw")
        var printed = 0
        var said = false
        var quietPolls = 0
        let encoder = LogLineJSON.encoder()

        while true {
            // Bring main up to date; an unreachable remote only matters when following.
            // FIXME: a follower of a quiet job still fetches main and the claim ref every five
            // seconds; dozens of followers over ssh multiply that load on the remote.
            if spool.settings.remote != nil {
                do { try spool.sync() } catch let error as SyncError where !follow {
                    context.console.warn("showing the local copy: \(error)")
                }
            }
            let job = try spool.snapshot().requireJob(id)
            var lines: [LogLine] = []
            if job.state.isFinal, let stored = try spool.readResult(of: job) {
                lines = LogFormat.decode(stored.log)
            } else if job.state == .claimed || job.state == .running {
                lines = try spool.liveLog(job: id).flatMap { LogFormat.decode($0) }
            }
            // FIXME: lines are matched by count between the live pieces and the final log;
            // when the log cap dropped lines mid-run, a follower may skip or repeat a few
            // lines at the moment the job ends.
            for line in lines.dropFirst(printed) {
                let text =
                    context.console.json
                    ? String(decoding: try encoder.encode(LogLineJSON(line)), as: UTF8.self)
                    : raw
                        ? String(decoding: LogFormat.encode([line]), as: UTF8.self)
                            .trimmingCharacters(in: .newlines)
                        : line.displayText
                FileHandle.standardOutput.write(Data((text + "\n").utf8))
            }
            quietPolls = lines.count > printed ? 0 : quietPolls + 1
            printed = max(printed, lines.count)

            if job.state.isFinal || !follow {
                if lines.isEmpty, !said {
                    context.console.say("job \(id) is \(job.state.rawValue); it has no log")
                }
                if follow {
                    context.console.say("job \(id) \(job.state.rawValue)")
                    return job.state == .succeeded ? .ok : .jobFailed
                }
                return .ok
            }
            if !said, lines.isEmpty {
                context.console.say("job \(id) is \(job.state.rawValue); waiting for its log")
                said = true
            }
            // Every second while lines come, backing off to five when the job is quiet.
            Thread.sleep(forTimeInterval: min(5, 1 + Double(quietPolls) / 2))
        }
    }

    static let output = CommandSpec(
        name: "output", summary: "Fetch a finished job's outputs and unpack them safely.",
        usage: "dtrain output JOB [-o DIR]",
        options: [
            OptionSpec(
                name: "output", short: "o", value: "DIR", help: "where (default ./JOB-output)")
        ],
        maxPositionals: 1
    ) { invocation, context in
        let spool = try context.openSpool()
        let id = try context.resolveJob(invocation.requirePositional(0, "JOB"), in: spool)
        if spool.settings.remote != nil { try spool.sync() }
        let job = try spool.snapshot().requireJob(id)
        guard job.state.isFinal, let (result, _, zip) = try spool.readResult(of: job) else {
            throw SpoolError.unavailable(
                job.state.isFinal
                    ? "job \(id) is \(job.state.rawValue): it never ran to its end, so it has "
                        + "no outputs"
                    : "job \(id) is \(job.state.rawValue): it has no outputs yet")
        }
        guard let zip else {
            throw SpoolError.unavailable("job \(id) returned no outputs")
        }
        let target = invocation.value("output") ?? "\(id)-output"
        var isFolder: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: target, isDirectory: &isFolder)
        let isLink = (try? FileManager.default.destinationOfSymbolicLink(atPath: target)) != nil
        let existing = (try? FileManager.default.contentsOfDirectory(atPath: target)) ?? []
        guard !isLink, !exists || isFolder.boolValue, existing.isEmpty else {
            throw SpoolError.refusedInput(
                "\(target) is not an empty folder; name a new or empty folder with -o DIR")
        }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
            "dtrain-output-\(UUID().uuidString).zip")
        try zip.write(to: scratch)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let limits = try spool.snapshot().config().limits
        let summary = try ZipExtractor.safeExtract(
            zip: scratch.path, into: target,
            limits: ExtractionLimits(
                maxEntries: limits.maxEntries, maxUncompressedBytes: limits.maxOutputBytes * 4))
        let report = OutputReport(
            job: id, state: result.outcome, directory: target,
            files: summary.files.keys.sorted())
        try context.console.result(report) {
            guard !report.files.isEmpty else {
                return "Job \(id) (\(result.outcome)) wrote no output files"
            }
            return "Unpacked \(Count.of(report.files.count, "file")) of job \(id) "
                + "(\(result.outcome)) into \(target):\n"
                + report.files.map { "  " + Printable.escaped($0) }.joined(separator: "\n")
        }
        return .ok
    }
}

/// One log line for `dtrain logs --json`.
struct LogLineJSON: Encodable {
    var time: String
    var stream: String
    var text: String

    /// Compact, one object per line (JSON Lines), so a script can read a followed log as it
    /// grows.
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    init(_ line: LogLine) {
        time = Timestamp.iso(line.time)
        stream = "\(line.stream)"
        text = line.displayText
    }
}

struct OutputReport: Encodable {
    var job: String
    var state: String
    var directory: String
    var files: [String]
}
