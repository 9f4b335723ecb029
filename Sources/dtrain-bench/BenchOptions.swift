import Foundation

/// The command line of `dtrain-bench`.
struct BenchOptions: Sendable {
    enum Section: String, CaseIterable, Sendable {
        case claims, git, scale, worker, archive
    }

    var json = false
    var quick = false
    /// Spool sizes (jobs already committed) for the scale section.
    var sizes = [1_000, 10_000, 100_000]
    /// Racing worker counts for the claim sections.
    var workers = [1, 4, 8]
    /// Published jobs the racing workers share out.
    var jobs = 40
    /// Timed repetitions of each steady-state operation.
    var samples = 5
    /// The whole run's wall-clock budget; sections left over are skipped,
    /// loudly.
    var budgetSeconds: Double = 480
    var sections = Set(Section.allCases)
    /// Whether the synthetic spool carries one payload ref per job, as a real
    /// one does.
    var payloadRefs = true
    /// Finished jobs on the spool the archive section folds.
    var archiveJobs = 10_000

    static let usage = """
        usage: dtrain-bench [--quick] [--json] [--sizes N,N,...] [--workers N,N,...]
                            [--jobs M] [--samples K] [--budget SECONDS]
                            [--sections claims,git,scale,worker,archive]
                            [--no-payload-refs] [--archive-jobs N]

          --quick            ~1 minute: sizes 1000, workers 1,4, 12 jobs, 3 samples,
                             1000 finished jobs to fold
          --json             print the figures as one JSON document on stdout
          --sizes            spool sizes for the scale section (default 1000,10000,100000)
          --workers          racing worker counts (default 1,4,8)
          --jobs             published jobs per claim race (default 40)
          --samples          timed repetitions per steady-state figure (default 5)
          --budget           total wall-clock budget in seconds (default 480, quick 75)
          --sections         which sections to run (default all)
          --no-payload-refs  build synthetic spools without one payload ref per job
          --archive-jobs     finished jobs for the archive section (default 10000)

        Progress goes to stderr; tables (or JSON) to stdout. Nothing is asserted:
        the figures are for people and scripts to compare.
        """

    struct UsageError: Error, CustomStringConvertible {
        var description: String
    }

    /// Parses `arguments` (without the program name). `--quick` sets its
    /// defaults first, so explicit options given with it still win.
    static func parse(_ arguments: [String]) throws -> BenchOptions {
        var options = BenchOptions()
        if arguments.contains("--quick") {
            options.quick = true
            options.sizes = [1_000]
            options.workers = [1, 4]
            options.jobs = 12
            options.samples = 3
            options.archiveJobs = 1_000
            options.budgetSeconds = 75
        }
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            switch argument {
            case "--quick": continue
            case "--json": options.json = true
            case "--no-payload-refs": options.payloadRefs = false
            case "--sizes": options.sizes = try numbers(rest.popFirst(), for: argument)
            case "--workers": options.workers = try numbers(rest.popFirst(), for: argument)
            case "--jobs": options.jobs = try numbers(rest.popFirst(), for: argument)[0]
            case "--samples": options.samples = try numbers(rest.popFirst(), for: argument)[0]
            case "--archive-jobs":
                options.archiveJobs = try numbers(rest.popFirst(), for: argument)[0]
            case "--budget":
                options.budgetSeconds = Double(try numbers(rest.popFirst(), for: argument)[0])
            case "--sections":
                let names = (rest.popFirst() ?? "").split(separator: ",").map(String.init)
                let sections = names.compactMap(Section.init(rawValue:))
                guard !sections.isEmpty, sections.count == names.count else {
                    throw UsageError(
                        description: "--sections takes claims,git,scale,worker,archive")
                }
                options.sections = Set(sections)
            default:
                throw UsageError(description: "unknown option '\(argument)'")
            }
        }
        return options
    }

    /// A comma-separated list of positive integers; `_` separators allowed
    /// (100_000).
    private static func numbers(_ text: String?, for option: String) throws -> [Int] {
        let parts = (text ?? "").split(separator: ",").map {
            Int($0.replacingOccurrences(of: "_", with: ""))
        }
        let values = parts.compactMap { $0 }.filter { $0 > 0 }
        guard !values.isEmpty, values.count == parts.count else {
            throw UsageError(description: "\(option) takes positive integers, e.g. 1,4,8")
        }
        return values
    }
}
