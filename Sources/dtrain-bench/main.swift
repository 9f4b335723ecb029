import DTrainCore
import Foundation

/// Runs the sections asked for and prints the report; returns the exit status.
///
/// Nothing here asserts a timing: the figures are printed for people (tables)
/// and scripts (`--json`). A section that cannot run is skipped with a note
/// saying why.
func runBenchmark(_ options: BenchOptions) throws -> Int32 {
    let budget = Budget(seconds: options.budgetSeconds)
    var report = BenchReport(
        startedAt: Timestamp.iso(), quick: options.quick, budgetSeconds: options.budgetSeconds)
    let scratch = try ScratchDirectory(label: "run")
    defer { scratch.remove() }
    let zip = scratch.file("job.zip")
    try BenchSpool.writeJobZip(to: zip)

    // 1. Real worker processes racing.
    if options.sections.contains(.claims) {
        if let dtrain = BenchSpool.dtrainExecutable() {
            ClaimRaceBench(options: options, budget: budget, dtrain: dtrain, zip: zip)
                .run(into: &report)
        } else {
            report.notes.append(
                "claims: SKIPPED: no `dtrain` executable beside dtrain-bench; build it "
                    + "in the same configuration (swift build -c release)")
        }
    }

    // 2. The git command line as the floor.
    if options.sections.contains(.git) {
        if let git = Subprocess.gitPath {
            GitFloorBench(options: options, budget: budget, git: git).run(into: &report)
        } else {
            report.notes.append("git floor: SKIPPED: no git executable found")
        }
    }

    // 3. Submit and claim on big spools.
    if options.sections.contains(.scale) {
        ScaleBench(options: options, budget: budget, zip: zip).run(into: &report)
    }

    // 4. The worker: starting a job, and following its log.
    if options.sections.contains(.worker) {
        if let dtrain = BenchSpool.dtrainExecutable() {
            WorkerBench(options: options, budget: budget, dtrain: dtrain).run(into: &report)
        } else {
            report.notes.append("worker: SKIPPED: no `dtrain` executable beside dtrain-bench")
        }
    }

    // 5. Folding finished jobs into archive refs.
    if options.sections.contains(.archive) {
        ArchiveBench(options: options, budget: budget, zip: zip).run(into: &report)
    }

    report.totalSeconds = budget.elapsed
    report.peakResidentKiB = Memory.peakResidentKiB()
    report.peakChildResidentKiB = Memory.peakChildResidentKiB()
    if options.json {
        FileHandle.standardOutput.write(try CanonicalJSON.encode(report))
    } else {
        print(report.text(), terminator: "")
    }
    return 0
}

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.contains("--help") || arguments.contains("-h") {
    print(BenchOptions.usage)
    exit(0)
}
do {
    exit(try runBenchmark(BenchOptions.parse(arguments)))
} catch let error as BenchOptions.UsageError {
    Progress.say("error: \(error)\n" + BenchOptions.usage)
    exit(2)
} catch {
    Progress.say("error: \(error)")
    exit(1)
}
