import DTrainCore
import Foundation

/// Commands that meet other clones at a git remote.
enum RemoteCommands {
    static let all: [CommandSpec] = [clone, sync, status, reap, gc]

    static let clone = CommandSpec(
        name: "clone", summary: "Make a clone of a shared spool (fetches main, no payloads).",
        usage: "dtrain clone URL [DIR]", maxPositionals: 2,
        details: """
            URL: a path or file:// URL of a bare repository, ssh://user@host[:port]/path or
            user@host:path. DIR defaults to --spool, then $DTRAIN_SPOOL, then ./spool.
            --as NAME sets this clone's user.
            example: dtrain clone /mnt/shared/spool.git ~/spool --as alice
            """
    ) { invocation, context in
        let url = try invocation.requirePositional(0, "URL")
        let path = context.newSpoolPath(invocation.positional(1))
        let existed = FileManager.default.fileExists(atPath: path)
        let spool: Spool
        do {
            spool = try Spool.clone(url: url, into: path, user: invocation.value("as"))
        } catch {
            // A failed clone left an empty folder behind; take back only what we made.
            if !existed { try? FileManager.default.removeItem(atPath: path) }
            throw error
        }
        let jobs = try spool.index().jobs().count
        try context.console.result(["spool": path, "remote": url]) {
            "Cloned \(url) into \(path): \(Count.of(jobs, "job"))"
        }
        return .ok
    }

    static let sync = CommandSpec(
        name: "sync", summary: "Fetch the remote's main and deliver local changes to it.",
        usage: "dtrain sync",
        details: """
            Local commits made offline are replayed on the remote's tip and checked again;
            one that no longer holds (the job moved on, the money was spent) is dropped
            and reported.
            """
    ) { _, context in
        let spool = try context.openSpool()
        let report = try spool.sync()
        try context.console.result(report) {
            var lines = [
                "Synced with \(spool.settings.remote ?? "?"): delivered "
                    + "\(Count.of(report.delivered, "commit")), main at \(report.tip.prefix(12))"
            ]
            for dropped in report.dropped {
                lines.append("dropped '\(dropped.summary)': \(dropped.reason)")
            }
            return lines.joined(separator: "\n")
        }
        return report.dropped.isEmpty ? .ok : .conflict
    }

    static let status = CommandSpec(
        name: "status", summary: "Show this clone: user, remote, and what is not delivered yet.",
        usage: "dtrain status"
    ) { _, context in
        let spool = try context.openSpool()
        let pending = try spool.pendingCommits()
        let snapshot = try spool.snapshot()
        let status = CloneStatus(
            spool: spool.path, user: spool.settings.user, remote: spool.settings.remote,
            tip: snapshot.commit.hex,
            undelivered: pending.map {
                $0.message.split(separator: "\n").first.map(String.init)
                    ?? ""
            })
        try context.console.result(status) {
            var lines = [
                "spool   \(status.spool)", "user    \(status.user ?? "(not set)")",
                "remote  \(status.remote ?? "(none: a local spool)")",
                "main    \(status.tip.prefix(12))",
            ]
            if status.undelivered.isEmpty {
                lines.append(status.remote == nil ? "" : "nothing waiting to be delivered")
            } else {
                lines.append("not delivered yet (run 'dtrain sync'):")
                lines += status.undelivered.map { "  " + $0 }
            }
            return lines.joined(separator: "\n")
        }
        return .ok
    }

    static let reap = CommandSpec(
        name: "reap",
        summary: "Take back jobs whose workers stopped renewing their lease; fold finished claims.",
        usage: "dtrain reap",
        details: """
            A claim counts as lapsed once THIS clone has seen it unchanged for the spool's
            lease period, so run it regularly (every worker does, as it polls).
            """
    ) { _, context in
        let spool = try context.openSpool()
        let actions = try spool.reap()
        try context.console.result(actions) {
            actions.isEmpty
                ? "nothing to reap"
                : actions.map { "\($0.kind.rawValue) \($0.job)" }.joined(separator: "\n")
        }
        return .ok
    }

    static let gc = CommandSpec(
        name: "gc",
        summary: "Delete finished jobs' claim refs; fold their payload and results refs away.",
        usage: "dtrain gc [--older-than 7d] [--limit 500]",
        options: [
            OptionSpec(
                name: "older-than", value: "DURATION",
                help: "fold jobs final for longer (default 7d; 0: every final job)"),
            OptionSpec(name: "limit", value: "N", help: "fold at most N jobs (default 500)"),
        ],
        details: """
            Every ref on the remote slows every poll: libgit2 downloads the whole list on
            each connection. gc deletes the claim refs of final jobs, and folds the payload
            and results refs of jobs final for longer than --older-than into
            refs/dtrain/archive/YYYY-MM (the month each job ended), deleting each ref only
            once the archive holds the same tree. 'logs' and 'output' then read the archive.
            gc downloads what it folds and the archives it adds to: run it on one admin
            node (examples/node/dtrain-gc.cron), again while jobs remain.
            example: dtrain gc --older-than 30d --limit 200
            """
    ) { invocation, context in
        let spool = try context.openSpool()
        var grace = Spool.defaultFoldGrace
        if let text = invocation.value("older-than") {
            guard let seconds = Quantities.duration(text) else {
                throw UsageError("bad --older-than '\(text)' (e.g. 0, 12h, 7d)")
            }
            grace = TimeInterval(seconds)
        }
        var limit = Spool.defaultFoldLimit
        if let text = invocation.value("limit") {
            guard let count = Int(text), count > 0 else {
                throw UsageError("bad --limit '\(text)' (a number of jobs, at least 1)")
            }
            limit = count
        }
        // Like a reap, gc needs no configured user; its archive commits then say "gc".
        let actor = invocation.value("as") ?? spool.settings.user ?? "gc"
        let report = try spool.collectGarbage(olderThan: grace, limit: limit, actor: actor)
        try context.console.result(report) { Self.describe(report, limit: limit) }
        return .ok
    }

    /// The human side of a gc report: one line per folded job, more for refs left behind.
    static func describe(_ report: GarbageReport, limit: Int) -> String {
        var lines = ["collected \(report.claims.count) claim ref(s) of finished jobs"]
        let deleted = report.folded.reduce(0) { $0 + $1.deleted.count }
        lines.append(
            report.folded.isEmpty
                ? "no finished job's payload or results refs to fold"
                : "folded \(report.folded.count) job(s) into archives; deleted \(deleted) "
                    + "ref(s) from the remote")
        for action in report.folded {
            let short = action.deleted.compactMap { ref in
                SpoolLayout.archivePath(of: ref).map { $0.path.dropFirst(action.job.count + 1) }
            }
            lines.append("  \(action.job) -> \(action.archive): \(short.joined(separator: ", "))")
            for ref in action.refs where ref.outcome != .deleted {
                lines.append(
                    "    \(ref.outcome.rawValue) \(ref.ref)" + (ref.reason.map { ": \($0)" } ?? ""))
            }
        }
        if report.remaining > 0 {
            lines.append(
                "\(report.remaining) more finished job(s) wait for the next run (--limit \(limit))")
        }
        return lines.joined(separator: "\n")
    }
}

struct CloneStatus: Encodable {
    var spool: String
    var user: String?
    var remote: String?
    var tip: String
    var undelivered: [String]
}
