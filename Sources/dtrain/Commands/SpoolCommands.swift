import DTrainCore
import Foundation

/// Commands that create, configure, check and re-index a spool.
enum SpoolCommands {
    static let all: [CommandSpec] = [initSpool, config, verify, reindex]

    static let initSpool = CommandSpec(
        name: "init", summary: "Create a new spool (a git repository with a spool.json).",
        usage: "dtrain init [DIR] [--remote URL] [--admin NAME]... [--currency CODE] [--lease 5m]",
        options: [
            OptionSpec(
                name: "admin", value: "NAME", help: "an admin (repeatable; default: you)",
                repeatable: true),
            OptionSpec(name: "currency", value: "CODE", help: "currency code (default INR)"),
            OptionSpec(name: "lease", value: "DURATION", help: "claim lease period (default 5m)"),
            OptionSpec(name: "image", value: "IMAGE", help: "default job image"),
            OptionSpec(
                name: "remote", value: "URL",
                help: "publish it to this empty remote (workers need one; too late after init)"),
        ],
        maxPositionals: 1,
        details: """
            DIR defaults to --spool, then $DTRAIN_SPOOL, then ./spool. The first commit
            holds spool.json: format version, currency, price tiers, the 80/20 split, lease
            period, limits, default image, admins.
            The acting user (--as, default 'admin') becomes this clone's user.
            example: dtrain init /srv/spool --as alice --admin alice
            """
    ) { invocation, context in
        let path = context.newSpoolPath(invocation.positional(0))
        let actor = invocation.value("as") ?? "admin"
        var config = SpoolConfig.standard
        let admins = invocation.all("admin")
        config.admins = admins.isEmpty ? [actor] : admins
        if let code = invocation.value("currency") { config.currency.code = code.uppercased() }
        if let image = invocation.value("image") { config.defaultImage = image }
        if let lease = invocation.value("lease") {
            guard let seconds = Quantities.duration(lease) else {
                throw UsageError("bad duration '\(lease)' (e.g. 90s, 5m, 1h)")
            }
            config.leaseSeconds = seconds
        }
        let existed = FileManager.default.fileExists(atPath: path)
        let spool = try Spool.create(at: path, config: config, actor: actor)
        try spool.updateSettings { $0.user = actor }

        // A spool whose remote could not be made is a dead end (no remote can be added
        // later, and a second 'init' refuses the folder), so take back what we created.
        if let remote = invocation.value("remote") {
            do {
                try spool.publish(to: remote)
            } catch {
                // Spool.create refuses a folder holding .git, so that .git is ours.
                try? FileManager.default.removeItem(atPath: existed ? path + "/.git" : path)
                throw error
            }
        }
        try context.console.result(["spool": path, "user": actor]) {
            "Created spool at \(path) (admins: \(config.admins.joined(separator: ", ")); "
                + "you are \(actor))"
        }
        return .ok
    }

    static let config = CommandSpec(
        name: "config",
        summary: "Show or set this clone's local settings (never committed).",
        usage: "dtrain config [user NAME | remote URL | scorer [--] CMD [ARG...] | "
            + "scorer-timeout SECONDS]",
        maxPositionals: 64,
        details: """
            user NAME          who you are in this clone
            remote URL         publish a spool made without --remote to an empty remote
            scorer CMD ARG...  a second price scorer: gets the job as JSON on stdin, prints 0-100
            scorer none        turn the second scorer off
            Put '--' before CMD when its arguments start with '-'.
            example: dtrain config user alice
            example: dtrain config scorer -- /opt/scorer/score --model small
            """
    ) { invocation, context in
        let spool = try context.openSpool()
        let key = invocation.positional(0)
        let values = Array(invocation.positionals.dropFirst())
        switch key {
        case nil:
            break
        case "user":
            guard values.count == 1 else { throw UsageError("usage: dtrain config user NAME") }
            try Actor.check(values[0])
            try spool.updateSettings { $0.user = values[0] }
        case "scorer":
            guard !values.isEmpty else { throw UsageError("usage: dtrain config scorer CMD") }
            try spool.updateSettings {
                let timeout = $0.secondScorer?.timeoutSeconds ?? 10
                $0.secondScorer =
                    values == ["none"] ? nil : .init(command: values, timeoutSeconds: timeout)
            }
        case "remote":
            guard values.count == 1 else { throw UsageError("usage: dtrain config remote URL") }
            try spool.publish(to: values[0])
            context.console.say("published this spool to \(values[0]); it is now the remote")
        case "scorer-timeout":
            guard values.count == 1, let seconds = Double(values[0]), seconds > 0 else {
                throw UsageError("usage: dtrain config scorer-timeout SECONDS")
            }
            guard spool.settings.secondScorer != nil else {
                throw UsageError("set a scorer first: dtrain config scorer CMD")
            }
            try spool.updateSettings { $0.secondScorer?.timeoutSeconds = seconds }
        default:
            throw UsageError("unknown setting '\(key!)' (user, scorer, scorer-timeout)")
        }
        let settings = spool.settings
        try context.console.result(settings) {
            var lines = [
                "user: \(settings.user ?? "(not set)")",
                "remote: \(settings.remote ?? "(none: a local spool)")",
            ]
            if let scorer = settings.secondScorer {
                lines.append(
                    "scorer: \(scorer.command.joined(separator: " ")) "
                        + "(timeout \(scorer.timeoutSeconds)s)")
            } else {
                lines.append("scorer: (none)")
            }
            return lines.joined(separator: "\n")
        }
        return .ok
    }

    static let verify = CommandSpec(
        name: "verify",
        summary: "Replay the whole history and check every rule of the spool and the ledger.",
        usage: "dtrain verify",
        details: """
            Exits 0 when the history is sound; otherwise names the first commit that breaks a
            rule and exits 6.
            """
    ) { _, context in
        let spool = try context.openSpool()
        var verifier = SpoolVerifier(repository: spool.repository)
        let report = try verifier.run(tip: spool.snapshot().commit)
        try context.console.result(report) {
            if let violation = report.violation {
                return "BROKEN at commit \(violation.commit) (\(violation.summary)):\n  "
                    + violation.rule
            }
            return "OK: \(Count.of(report.commits, "commit")), \(Count.of(report.jobs, "job")), "
                + "\(Count.of(report.entries, "ledger entry", plural: "ledger entries")); "
                + "balances sum to \(report.total)"
        }
        return report.violation == nil ? .ok : .conflict
    }

    static let reindex = CommandSpec(
        name: "reindex", summary: "Rebuild this clone's local index from git history.",
        usage: "dtrain reindex"
    ) { _, context in
        let spool = try context.openSpool()
        let snapshot = try spool.snapshot()
        let index = try spool.index(at: snapshot)
        try index.rebuild(from: snapshot)
        let jobs = try index.jobs().count
        try context.console.result(["commit": snapshot.commit.hex, "jobs": String(jobs)]) {
            "Rebuilt the index at \(snapshot.commit.hex.prefix(12)): \(jobs) jobs"
        }
        return .ok
    }
}
