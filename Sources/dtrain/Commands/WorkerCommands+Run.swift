import DTrainCore
import Foundation

/// Registering a worker node, listing workers, and the worker loop.
extension WorkerCommands {
    static let register = CommandSpec(
        name: "worker register",
        summary: "Describe this machine and record it as a worker in the spool.",
        usage: "dtrain worker register [--name N] [--min-price P] [--label K=V]... "
            + "[--cpus N] [--memory SIZE] [--gpus N] [--wheelhouse DIR]",
        options: profileOptions + [
            OptionSpec(
                name: "name", value: "NAME",
                help: "worker name (default: this clone's user, as whom 'worker run' claims)"),
            OptionSpec(
                name: "label", value: "K=V", help: "a label (repeatable)", repeatable: true),
            OptionSpec(
                name: "wheelhouse", value: "DIR",
                help: "an existing folder of wheels for offline pip ('none': off)"),
            OptionSpec(name: "log-interval", value: "SECONDS", help: "log push period (3)"),
        ],
        details: """
            Detects OS, kernel, CPU, memory, GPUs (nvidia-smi), Docker and its images, and
            commits a registration record; registering again adds a newer one.
            example: dtrain worker register --name gpu-01 --min-price 20 --label site=lab1
            """
    ) { invocation, context in
        let spool = try context.openSpool()
        let name = try invocation.value("name") ?? context.actor(spool)
        if spool.settings.user == nil { try spool.updateSettings { $0.user = name } }

        // 'worker run' claims as the clone's user; a different --name is a worker that
        // this clone never runs as, and nothing else would say so.
        if let user = spool.settings.user, user != name {
            context.console.warn(
                "this clone's user is \(user), so 'dtrain worker run' here claims as \(user), "
                    + "not \(name); run 'dtrain config user \(name)' if this is worker \(name)")
        }
        let settings = try workerSettings(invocation, name: name, spool: spool)
        let record = try spool.registerWorker(name: name, settings: settings)
        try context.deliver(spool)
        let images = record.images.isEmpty ? "none" : record.images.joined(separator: ", ")
        try context.console.result(record) {
            """
            Registered worker \(record.name): \(record.os), kernel \(record.kernel)
              \(record.cpuModel): \(record.cpus) CPUs, \(record.memoryBytes >> 20) MiB, \
            \(record.gpus.count) GPU(s)
              docker \(record.docker ?? "not answering"); images: \(images)
            """
        }
        return .ok
    }

    static func workerSettings(_ invocation: Invocation, name: String, spool: Spool) throws
        -> WorkerSettings
    {
        var settings = spool.settings.worker ?? WorkerSettings()
        let profile = try workerProfile(invocation, name: name, spool: spool)
        if invocation.value("cpus") != nil { settings.cpus = profile.cpus }
        if invocation.value("memory") != nil { settings.memoryBytes = profile.memoryBytes }
        if invocation.value("gpus") != nil { settings.gpus = profile.gpus }
        if invocation.value("min-price") != nil { settings.minPrice = profile.minPrice }
        if let wheelhouse = invocation.value("wheelhouse") {
            settings.wheelhouse = try wheelhousePath(wheelhouse)
        }
        if let text = invocation.value("log-interval") {
            // Each push is a commit and a round trip: more than a few a second only loads
            // the remote.
            guard let seconds = Double(text), seconds >= 0.5, seconds <= 3_600 else {
                throw UsageError("bad --log-interval '\(text)' (0.5 to 3600 seconds)")
            }
            settings.logIntervalSeconds = seconds
        }
        var labels = settings.labels ?? [:]
        for label in invocation.all("label") {
            let parts = label.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else {
                throw UsageError("bad --label '\(label)' (use KEY=VALUE)")
            }
            labels[parts[0]] = parts[1]
        }
        settings.labels = labels
        return settings
    }

    /// The absolute path of a wheelhouse folder, or nil for "none". A folder that does
    /// not exist is refused here: Docker would refuse the bind mount of every job later,
    /// and each job would be handed back until its retries ran out.
    static func wheelhousePath(_ text: String) throws -> String? {
        guard text != "none" else { return nil }
        let path = URL(fileURLWithPath: text).standardizedFileURL.path
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder),
            isFolder.boolValue
        else {
            throw UsageError(
                "--wheelhouse \(path) is not a folder on this machine "
                    + "(create it, or give 'none' for no wheelhouse)")
        }
        return path
    }

    static let workers = CommandSpec(
        name: "workers", summary: "List registered workers and what they are doing.",
        usage: "dtrain workers"
    ) { _, context in
        let spool = try context.openSpool()
        let snapshot = try spool.snapshot()
        let index = try spool.index(at: snapshot)
        let jobs = try index.jobs()
        let rows = try spool.workers(at: snapshot).map { record in
            let mine = jobs.filter { $0.worker == record.name }
            let lastSeen = ([record.registeredAt] + mine.compactMap(\.updatedAt)).max()!
            let busy = mine.first { $0.state == .claimed || $0.state == .running }
            var state = "idle"
            if let busy {
                state = "\(busy.state.rawValue) \(busy.id)"
            } else if let seen = Timestamp.parse(lastSeen),
                Date().timeIntervalSince(seen) > 3_600
            {
                state = "silent since \(lastSeen)"
            }
            return WorkerLine(
                name: record.name, state: state, lastSeen: lastSeen, cpus: record.cpus,
                memoryBytes: record.memoryBytes, gpus: record.gpus.count,
                labels: record.labels)
        }
        try context.console.result(rows) {
            guard !rows.isEmpty else { return "no workers registered" }
            return Table.render(
                header: ["WORKER", "STATE", "CPUS", "MEMORY", "GPUS", "LAST SEEN"],
                rows: rows.map {
                    [
                        $0.name, $0.state, String(format: "%g", $0.cpus),
                        "\($0.memoryBytes >> 20) MiB", "\($0.gpus)", $0.lastSeen,
                    ]
                })
        }
        return .ok
    }

    static let run = CommandSpec(
        name: "worker run",
        summary: "Claim and run jobs in Docker (a loop), or at most one with --once (cron).",
        usage: "dtrain worker run [--once] [--poll 5s] [--max-jobs N] [--until-idle]",
        options: [
            OptionSpec(name: "once", help: "claim at most one job, run it, exit"),
            OptionSpec(name: "poll", value: "DURATION", help: "wait between polls (5s)"),
            OptionSpec(name: "max-jobs", value: "N", help: "exit after N jobs"),
            OptionSpec(name: "until-idle", help: "exit when a poll finds no job"),
        ],
        details: """
            A lock makes a second run on the same clone exit at once (exit 6). SIGINT or
            SIGTERM stops the loop; a running job is stopped and handed back to the queue.
            After a crash, the next start removes the dead run's container and hands its job
            back. Progress goes to stderr with timestamps. A poll that finds nothing to run
            folds the refs of up to 3 jobs this worker ran that ended over a week ago into
            the month's archive, if this clone already holds its tip (see 'dtrain gc').
            example (cron): * * * * * cd /var/lib/dtrain/spool && dtrain worker run --once
            """
    ) { invocation, context in
        let spool = try context.openSpool()
        let worker = try context.actor(spool)
        var options = WorkerLoop.Options(
            once: invocation.flag("once"), untilIdle: invocation.flag("until-idle"))
        if let text = invocation.value("poll") {
            // Every poll is a fetch and a listing on the shared remote: never a busy loop.
            guard let seconds = Quantities.duration(text), seconds >= 1 else {
                throw UsageError("bad --poll '\(text)' (at least 1s, e.g. 5s or 1m)")
            }
            options.pollSeconds = Double(seconds)
        }
        if let text = invocation.value("max-jobs") {
            guard let count = Int(text), count > 0 else {
                throw UsageError("bad --max-jobs '\(text)'")
            }
            options.maxJobs = count
        }
        let stop = StopSignal.install()
        let console = context.console
        let loop = WorkerLoop(
            spool: spool, worker: worker, stopRequested: { stop.isSet },
            log: { console.say(Timestamp.iso() + " " + $0) })
        let summary: WorkerLoop.Summary
        do {
            summary = try loop.run(options)
        } catch let busy as WorkerLockError where busy.isBusy {
            // Under cron this happens every minute while a job trains: a timestamped line
            // in the worker's log, not an error for someone to chase. The code still says it.
            console.say(Timestamp.iso() + " " + busy.description)
            if console.json {
                try console.result(["busy": busy.description]) { "" }
            }
            return .conflict
        }
        try context.console.result(summary) {
            guard !summary.runs.isEmpty else { return "ran no job" }
            return summary.runs.map { run in
                "\(run.job): \(run.state)" + (run.reason.map { " (\($0))" } ?? "")
            }.joined(separator: "\n")
        }
        return .ok
    }
}
