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
        name: "gc", summary: "Delete the claim refs of finished jobs from the remote.",
        usage: "dtrain gc"
    ) { _, context in
        let spool = try context.openSpool()
        let actions = try spool.collectClaims()
        try context.console.result(actions) {
            "collected \(actions.count) claim ref(s) of finished jobs"
        }
        return .ok
    }
}

struct CloneStatus: Encodable {
    var spool: String
    var user: String?
    var remote: String?
    var tip: String
    var undelivered: [String]
}
