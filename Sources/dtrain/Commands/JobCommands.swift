import ArchiveKit
import DTrainCore
import Foundation

/// Commands that submit, price, publish, cancel and list jobs.
enum JobCommands {
    static let all: [CommandSpec] = [submit, quote, publish, cancel, jobs, show]

    static let jobOptions: [OptionSpec] = [
        OptionSpec(name: "main", value: "FILE", help: "the main script inside the ZIP"),
        OptionSpec(name: "name", value: "NAME", help: "a name for the job"),
        OptionSpec(name: "image", value: "IMAGE", help: "Docker image (default: the spool's)"),
        OptionSpec(name: "timeout", value: "DURATION", help: "wall-clock limit (default 1h)"),
        OptionSpec(name: "cpus", value: "N", help: "CPUs (default 1)"),
        OptionSpec(name: "memory", value: "SIZE", help: "memory, e.g. 4g (default 2g)"),
        OptionSpec(name: "gpus", value: "N", help: "GPUs (default 0)"),
    ]

    static let submit = CommandSpec(
        name: "submit", summary: "Validate a job ZIP, price it and write it as a draft.",
        usage: "dtrain submit ZIP|FOLDER --main train.py [--name N] [--image I] [--timeout 2h] "
            + "[--cpus N] [--memory 4g] [--gpus N]",
        options: jobOptions, maxPositionals: 1,
        details: """
            A FOLDER is zipped for you. Nothing is written unless the ZIP passes every
            check. Publish the draft with 'dtrain publish JOB' to reserve its price and
            queue it.
            example: dtrain submit digits.zip --main train.py --timeout 30m
            """
    ) { invocation, context in
        let spool = try context.openSpool()
        let actor = try context.actor(spool)
        let (zip, folderName) = try zipIfFolder(
            invocation.requirePositional(0, "ZIP or FOLDER"), spool: spool, console: context.console
        )
        var options = try submitOptions(invocation)
        options.name = options.name ?? folderName
        let job = try spool.submit(zipAt: zip, options: options, actor: actor)
        try context.deliver(spool)
        let config = try spool.snapshot().config()
        try context.console.result(job.summary) {
            "Submitted draft job \(job.id) '\(job.manifest.name)'\n"
                + QuoteText.render(job.quote!, currency: config.currency)
                + "\nPublish it with: dtrain publish \(job.id)"
        }
        return .ok
    }

    static let quote = CommandSpec(
        name: "quote", summary: "Price a job ZIP without writing anything.",
        usage: "dtrain quote ZIP|FOLDER --main train.py", options: [jobOptions[0]],
        maxPositionals: 1,
        details: "example: dtrain quote examples/sklearn-digits --main train.py"
    ) { invocation, context in
        let spool = try context.openSpool()
        let (zip, _) = try zipIfFolder(
            invocation.requirePositional(0, "ZIP or FOLDER"), spool: spool, console: context.console
        )
        guard let main = invocation.value("main") else {
            throw UsageError("--main FILE is required", command: invocation.command)
        }
        let (_, quote) = try spool.quote(zipAt: zip, mainScript: main)
        let currency = try spool.snapshot().config().currency
        try context.console.result(quote) { QuoteText.render(quote, currency: currency) }
        return .ok
    }

    static let publish = CommandSpec(
        name: "publish", summary: "Reserve a draft's price in escrow and queue it for workers.",
        usage: "dtrain publish JOB", maxPositionals: 1
    ) { invocation, context in
        let spool = try context.openSpool()
        let actor = try context.actor(spool)
        let id = try context.resolveJob(invocation.requirePositional(0, "JOB"), in: spool)
        let job = try spool.publish(job: id, actor: actor)
        try context.deliver(spool)
        let currency = try spool.snapshot().config().currency
        try context.console.result(job.summary) {
            "Published job \(id): \(currency.format(job.price)) reserved in escrow"
        }
        return .ok
    }

    static let cancel = CommandSpec(
        name: "cancel",
        summary: "Cancel a draft, or a published job no worker has claimed (refunds escrow).",
        usage: "dtrain cancel JOB [--reason TEXT]",
        options: [OptionSpec(name: "reason", value: "TEXT", help: "why, kept in the record")],
        maxPositionals: 1
    ) { invocation, context in
        let spool = try context.openSpool()
        let actor = try context.actor(spool)
        let id = try context.resolveJob(invocation.requirePositional(0, "JOB"), in: spool)
        let job = try spool.cancel(job: id, actor: actor, reason: invocation.value("reason"))
        try context.deliver(spool)
        try context.console.result(job.summary) { "Cancelled job \(id)" }
        return .ok
    }

    static let jobs = CommandSpec(
        name: "jobs", summary: "List jobs from this clone's index.",
        usage: "dtrain jobs [--state S] [--owner NAME]",
        options: [
            OptionSpec(
                name: "state", value: "S",
                help: JobState.allCases.map(\.rawValue).joined(separator: "|")),
            OptionSpec(name: "owner", value: "NAME", help: "only this user's jobs"),
        ],
        details: "This clone as of its last sync: run 'dtrain sync' to see others' changes."
    ) { invocation, context in
        let spool = try context.openSpool()
        var state: JobState?
        if let text = invocation.value("state") {
            guard let parsed = JobState(rawValue: text) else {
                throw UsageError("unknown state '\(text)'", command: invocation.command)
            }
            state = parsed
        }
        let rows = try spool.index().jobs(state: state, owner: invocation.value("owner"))
        let pending = try spool.pendingCommits().count
        if pending > 0 {
            context.console.say(
                "\(Count.of(pending, "local change")) not delivered yet; see 'dtrain status'")
        }
        let currency = try spool.snapshot().config().currency
        try context.console.result(rows) {
            guard !rows.isEmpty else { return "no jobs" }
            let lines = rows.map { row in
                [row.id, row.state.rawValue, currency.format(row.price), row.owner, row.name]
            }
            return Table.render(header: ["JOB", "STATE", "PRICE", "OWNER", "NAME"], rows: lines)
        }
        return .ok
    }

    static let show = CommandSpec(
        name: "show", summary: "Show one job: manifest, quote and its state history.",
        usage: "dtrain show JOB", maxPositionals: 1
    ) { invocation, context in
        let spool = try context.openSpool()
        let id = try context.resolveJob(invocation.requirePositional(0, "JOB"), in: spool)
        let snapshot = try spool.snapshot()
        let job = try snapshot.requireJob(id)
        let currency = try snapshot.config().currency
        try context.console.result(job.detail) {
            let manifest = job.manifest
            var text = """
                job      \(manifest.id)  \(manifest.name)
                state    \(job.state.rawValue)
                owner    \(manifest.owner)
                main     \(manifest.main)   image \(manifest.image)
                limits   \(manifest.resources.cpus) CPU, \
                \(manifest.resources.memoryBytes >> 20) MiB, \(manifest.resources.gpus) GPU, \
                timeout \(manifest.timeoutSeconds)s
                payload  \(manifest.payload.bytes) bytes, \(manifest.payload.files) files

                """
            if let quote = job.quote { text += QuoteText.render(quote, currency: currency) }
            text += "\nhistory:\n"
            for record in job.records {
                var line = "  \(record.seq). \(record.at)  \(record.state.rawValue) by \(record.by)"
                if let worker = record.worker { line += " (worker \(worker))" }
                if let note = record.note { line += ": \(note)" }
                text += line + "\n"
            }
            return text
        }
        return .ok
    }

    /// A folder is zipped first (with libarchive, never following symlinks), so
    /// `dtrain submit examples/sklearn-digits --main train.py` works without a zip tool.
    /// Returns the ZIP's path and, for a folder, its name. What was left out (symlinks,
    /// fifos) is said on stderr, so a job missing its linked data folder is no surprise.
    static func zipIfFolder(_ path: String, spool: Spool, console: Console) throws
        -> (String, String?)
    {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder),
            isFolder.boolValue
        else { return (path, nil) }
        let limits = try spool.snapshot().config().limits
        let zip = FileManager.default.temporaryDirectory.appendingPathComponent(
            "dtrain-submit-\(getpid())-\(UUID().uuidString).zip"
        ).path
        let summary = try ZipWriter.zipDirectory(at: path, to: zip, maxBytes: limits.maxZipBytes)
        guard !summary.isTruncated else {
            try? FileManager.default.removeItem(atPath: zip)
            throw SpoolError.refusedInput(
                "\(path) is larger than the spool's ZIP limit of \(limits.maxZipBytes) bytes")
        }
        if !summary.skippedNonRegular.isEmpty {
            let names = summary.skippedNonRegular.prefix(5).joined(separator: ", ")
            console.warn(
                "left out \(summary.skippedNonRegular.count) symlink(s) or special file(s) "
                    + "of \(path), which dtrain never follows: \(names)")
        }
        atexit { cleanUpSubmitZips() }
        return (zip, URL(fileURLWithPath: path).standardizedFileURL.lastPathComponent)
    }

    static func submitOptions(_ invocation: Invocation) throws -> SubmitOptions {
        guard let main = invocation.value("main") else {
            throw UsageError("--main FILE is required", command: invocation.command)
        }
        var options = SubmitOptions(mainScript: main, name: invocation.value("name"))
        options.image = invocation.value("image")
        if let text = invocation.value("timeout") {
            guard let seconds = Quantities.duration(text) else {
                throw UsageError("bad --timeout '\(text)' (e.g. 90s, 30m, 2h)")
            }
            options.timeoutSeconds = seconds
        }
        if let text = invocation.value("cpus") {
            guard let cpus = Double(text), cpus > 0, cpus <= 1024 else {
                throw UsageError("bad --cpus '\(text)'")
            }
            options.resources.cpus = cpus
        }
        if let text = invocation.value("memory") {
            guard let bytes = Quantities.bytes(text), bytes >= 4 << 20 else {
                throw UsageError("bad --memory '\(text)' (e.g. 512m, 4g; at least 4m)")
            }
            options.resources.memoryBytes = bytes
        }
        if let text = invocation.value("gpus") {
            guard let gpus = Int(text), (0...64).contains(gpus) else {
                throw UsageError("bad --gpus '\(text)'")
            }
            options.resources.gpus = gpus
        }
        return options
    }
}

/// What `--json` prints for a job after a change.
struct JobChange: Encodable {
    var id: String
    var name: String
    var state: String
    var price: Int64
    var quote: Quote?
}

/// What `dtrain show --json` prints.
struct JobDetail: Encodable {
    var manifest: JobManifest
    var quote: Quote?
    var state: String
    var records: [StateRecord]
}

extension JobRecord {
    var summary: JobChange {
        JobChange(id: id, name: manifest.name, state: state.rawValue, price: price, quote: quote)
    }

    var detail: JobDetail {
        JobDetail(manifest: manifest, quote: quote, state: state.rawValue, records: records)
    }
}

/// Removes the temporary ZIPs made of submitted folders.
func cleanUpSubmitZips() {
    let directory = FileManager.default.temporaryDirectory
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
    for name in names where name.hasPrefix("dtrain-submit-\(getpid())") {
        try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))
    }
}
