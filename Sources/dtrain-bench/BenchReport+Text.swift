import Foundation

/// The report as a person reads it: one table per section, then the notes.
extension BenchReport {
    func text() -> String {
        var parts: [String] = []
        if !claimRaces.isEmpty {
            parts.append(
                Self.raceTable(
                    "1. Claims: `dtrain worker claim` processes racing over a local bare remote",
                    claimRaces)
                    + "\n refused/claim counts claim refs lost (`lost`); refused pushes of "
                    + "main inside\n the claim's sync are not reported by the CLI")
        }
        if !gitFloor.isEmpty {
            parts.append(
                Self.raceTable(
                    "2. Floor: plain git, ls-remote + commit-tree + create-only push", gitFloor))
        }
        if !scale.isEmpty {
            parts.append(scaleSetupTable())
            parts.append(scaleOperationTable())
        }
        if let worker {
            parts.append(Self.workerTable(worker))
        }
        if let archive {
            parts.append(Self.archiveTable(archive))
        }
        var footer = ["total \(Format.seconds(totalSeconds)) (budget \(Int(budgetSeconds)) s)"]
        if let peakResidentKiB { footer.append("peak RSS \(Format.count(peakResidentKiB)) KiB") }
        if let peakChildResidentKiB, peakChildResidentKiB > 0 {
            footer.append("largest child peak RSS \(Format.count(peakChildResidentKiB)) KiB")
        }
        parts.append(footer.joined(separator: ", "))
        if !notes.isEmpty {
            parts.append((["notes:"] + notes.map { "  - " + $0 }).joined(separator: "\n"))
        }
        return parts.joined(separator: "\n\n") + "\n"
    }

    private static func raceTable(_ title: String, _ races: [RaceFigures]) -> String {
        let rows = races.map { race in
            [
                "\(race.workers)", "\(race.claimed)/\(race.jobs)", Format.seconds(race.seconds),
                Format.number(race.claimsPerSecond), Format.number(race.refusedPerClaim),
                Format.seconds(race.medianClaimSeconds), Format.seconds(race.cpuSecondsPerClaim),
                race.anomalies.isEmpty ? "-" : race.anomalies.joined(separator: "; "),
            ]
        }
        let table = TextTable.render(
            title: title,
            header: [
                "workers", "claimed", "wall", "claims/s", "refused/claim", "median claim",
                "CPU/claim", "anomalies",
            ], rows: rows)
        return table
            + "\n(median claim: one successful claim by one client, program start "
            + "included;\n at 1 worker it is the uncontended claim)"
    }

    private func scaleSetupTable() -> String {
        let rows = scale.map { figures in
            [
                Format.count(figures.jobs), Format.count(figures.payloadRefs),
                Format.count(figures.objectsWritten), Format.seconds(figures.buildSeconds),
                Format.seconds(figures.indexFirstBuildSeconds),
                Format.seconds(figures.indexFirstBuildCPUSeconds), Format.bytes(figures.indexBytes),
            ]
        }
        return TextTable.render(
            title: "3a. Spool size: synthetic history (setup) and the index's first build",
            header: [
                "jobs", "payload refs", "objects", "history write", "index first build",
                "(CPU)", "index size",
            ], rows: rows)
    }

    private func scaleOperationTable() -> String {
        let submitRows = scale.map { figures in
            [
                Format.count(figures.jobs), Format.seconds(figures.submitSeconds),
                Format.seconds(figures.publishSeconds), Format.seconds(figures.deliverSeconds),
                Format.seconds(figures.deliverAfterReplaySeconds), "\(figures.samples)",
            ]
        }
        let claimRows = scale.map { figures in
            [
                Format.count(figures.jobs), Format.seconds(figures.workerSyncSeconds),
                Format.seconds(figures.indexCatchUpSeconds),
                Format.seconds(figures.claimSeconds), Format.seconds(figures.createRefSeconds),
                Format.seconds(figures.listRemoteSeconds),
                Format.seconds(figures.idleFetchSeconds),
            ]
        }
        let submitSide = TextTable.render(
            title: "3b. Spool size: submitting (medians; 'after replay' is one sample)",
            header: ["jobs", "submit", "publish", "sync out", "sync out after replay", "n"],
            rows: submitRows)
        let claimSide = TextTable.render(
            title: "3c. Spool size: claiming (medians)",
            header: [
                "jobs", "worker sync", "index catch-up", "claim", "create ref", "ls-remote",
                "idle fetch",
            ], rows: claimRows)
        return submitSide + "\n\n" + claimSide
    }

    static func archiveTable(_ figures: ArchiveFigures) -> String {
        let table = TextTable.render(
            title: "5. Folding: \(Format.count(figures.jobs)) finished jobs, before and after "
                + "gc --older-than 0 (medians)",
            header: ["", "refs on the remote", "ls-remote", "claim"],
            rows: [
                [
                    "before", Format.count(figures.refsBefore),
                    Format.seconds(figures.listBeforeSeconds),
                    Format.seconds(figures.claimBeforeSeconds),
                ],
                [
                    "after", Format.count(figures.refsAfter),
                    Format.seconds(figures.listAfterSeconds),
                    Format.seconds(figures.claimAfterSeconds),
                ],
            ])
        var footer =
            "\n gc: \(Format.count(figures.folded)) jobs folded into \(figures.archiveRefs) "
            + "archive ref(s) in \(figures.gcRuns) run(s) of up to 500, "
            + "\(Format.seconds(figures.gcSeconds)) (history setup "
            + "\(Format.seconds(figures.setupSeconds)))"
        if let left = figures.gcUnfinished {
            footer += "\n gc stopped with \(Format.count(left)) jobs left: budget spent"
        }
        return table + footer
    }

    static func workerTable(_ figures: WorkerFigures) -> String {
        TextTable.render(
            title: "4. Worker: launch to the job's first line, and log latency "
                + "(\(figures.samples) runs)",
            header: ["what", "median", "worst"],
            rows: [
                [
                    "dtrain worker run --once", Format.seconds(figures.startMedianSeconds),
                    Format.seconds(figures.startWorstSeconds),
                ],
                [
                    "bare docker run --rm (floor)", Format.seconds(figures.dockerMedianSeconds),
                    Format.seconds(figures.dockerWorstSeconds),
                ],
                [
                    "log line to logs --follow (\(figures.logLines) lines)",
                    Format.seconds(figures.logLatencyMedianSeconds),
                    Format.seconds(figures.logLatencyWorstSeconds),
                ],
            ])
            + "\n log pushes every \(Int(figures.logIntervalSeconds)) s; the follower polls every "
            + "second"
    }
}
