import DTrainCore
import Foundation

/// Commands a worker node runs.
enum WorkerCommands {
    static let all: [CommandSpec] = [register, workers, run, claim]

    static let profileOptions: [OptionSpec] = [
        OptionSpec(name: "cpus", value: "N", help: "CPUs offered (default: all)"),
        OptionSpec(name: "memory", value: "SIZE", help: "memory offered (default: all)"),
        OptionSpec(name: "gpus", value: "N", help: "GPUs offered (default 0)"),
        OptionSpec(name: "min-price", value: "AMOUNT", help: "take no job paying less"),
    ]

    static let claim = CommandSpec(
        name: "worker claim",
        summary: "Claim one published job that fits this worker; prints its id.",
        usage: "dtrain worker claim [--cpus N] [--memory SIZE] [--gpus N] [--min-price P]",
        options: profileOptions,
        details: """
            Exit 0 with the job id on stdout when a job was claimed; exit 3 when no job
            fits (or every race was lost). The claim counts once the remote accepted it.
            Nothing runs the job: the next 'dtrain worker run' in this clone hands it back
            to the queue, and otherwise its lease lapses and a reap does.
            """
    ) { invocation, context in
        let spool = try context.openSpool()
        let worker = try context.actor(spool)
        let profile = try workerProfile(invocation, name: worker, spool: spool)
        let result = try spool.claimNext(profile: profile)
        try context.console.result(result) {
            result.job ?? ""
        }
        if result.job == nil {
            context.console.say("no job claimed: \(result.reason ?? "")")
            return .notFound
        }
        return .ok
    }

    static func workerProfile(_ invocation: Invocation, name: String, spool: Spool) throws
        -> WorkerProfile
    {
        var profile = WorkerProfile.thisMachine(name: name)
        if let text = invocation.value("cpus") {
            guard let cpus = Double(text), cpus > 0 else { throw UsageError("bad --cpus") }
            profile.cpus = cpus
        }
        if let text = invocation.value("memory") {
            guard let bytes = Quantities.bytes(text) else { throw UsageError("bad --memory") }
            profile.memoryBytes = bytes
        }
        if let text = invocation.value("gpus") {
            guard let gpus = Int(text), gpus >= 0 else { throw UsageError("bad --gpus") }
            profile.gpus = gpus
        }
        if let text = invocation.value("min-price") {
            let currency = try spool.snapshot().config().currency
            guard let price = Quantities.money(text, minorPerMajor: currency.minorPerMajor) else {
                throw UsageError("bad --min-price '\(text)'")
            }
            profile.minPrice = price
        }
        return profile
    }
}
