import Foundation

/// What racing clients report back from their threads: claims won, races lost,
/// errors.
final class RaceTally: @unchecked Sendable {
    private let lock = NSLock()
    private var won: [String] = []
    private var refused = 0
    private var durations: [Double] = []
    private var problems: [String] = []

    func claimed(_ job: String, seconds: Double) {
        lock.withLock {
            won.append(job)
            durations.append(seconds)
        }
    }

    func lost(_ count: Int) {
        lock.withLock { refused += count }
    }

    func problem(_ text: String) {
        lock.withLock { problems.append(text) }
    }

    /// The figures of a race that ran `seconds` over `jobs`, checked for double
    /// claims and jobs left over (reported as anomalies, never asserted).
    func figures(tool: String, workers: Int, jobs: [String], seconds: Double) -> RaceFigures {
        lock.withLock {
            var anomalies = problems
            let twice = Dictionary(grouping: won, by: { $0 }).filter { $0.value.count > 1 }
            if !twice.isEmpty { anomalies.append("claimed twice: \(twice.keys.sorted())") }
            let left = Set(jobs).subtracting(won)
            if !left.isEmpty { anomalies.append("\(left.count) job(s) left unclaimed") }
            return RaceFigures(
                tool: tool, workers: workers, jobs: jobs.count, claimed: won.count,
                seconds: seconds, claimsPerSecond: seconds > 0 ? Double(won.count) / seconds : 0,
                refusedPerClaim: won.isEmpty ? 0 : Double(refused) / Double(won.count),
                medianClaimSeconds: Samples.median(durations), cpuSecondsPerClaim: nil,
                anomalies: anomalies)
        }
    }
}
