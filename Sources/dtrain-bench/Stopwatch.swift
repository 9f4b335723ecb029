import Foundation

/// Elapsed wall-clock time from a monotonic clock (`DispatchTime`), immune to
/// NTP steps.
struct Stopwatch: Sendable {
    private let start = DispatchTime.now().uptimeNanoseconds

    var seconds: Double {
        Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// CPU seconds (user + system) this process has used so far
    /// (`getrusage(RUSAGE_SELF)`); next to wall-clock time it tells computing
    /// from waiting (for the disk, or for other processes on a shared machine).
    static func processCPUSeconds() -> Double {
        cpuSeconds(RUSAGE_SELF.rawValue)
    }

    /// CPU seconds (user + system) of every child process reaped so far
    /// (`getrusage(RUSAGE_CHILDREN)`).
    static func childrenCPUSeconds() -> Double {
        cpuSeconds(RUSAGE_CHILDREN.rawValue)
    }

    private static func cpuSeconds(_ who: Int32) -> Double {
        var usage = rusage()
        guard getrusage(who, &usage) == 0 else { return 0 }
        let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        return user + system
    }

    /// Runs `body` and returns its result with the seconds it took.
    static func time<T>(_ body: () throws -> T) rethrows -> (value: T, seconds: Double) {
        let clock = Stopwatch()
        let value = try body()
        return (value, clock.seconds)
    }
}

/// The wall-clock budget of the whole run. Sections ask it before starting
/// anything long, so the benchmark ends in bounded time on a slow or busy
/// machine instead of being killed.
final class Budget: Sendable {
    let totalSeconds: Double
    private let clock = Stopwatch()

    init(seconds: Double) {
        self.totalSeconds = seconds
    }

    var elapsed: Double { clock.seconds }
    var remaining: Double { max(0, totalSeconds - clock.seconds) }
    var isExhausted: Bool { remaining <= 0 }
}

/// Small statistics over samples, in seconds.
enum Samples {
    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}

/// Memory figures from the kernel.
enum Memory {
    /// Peak resident set of this process (`VmHWM` in /proc/self/status), in
    /// KiB.
    static func peakResidentKiB() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let digits = line.split(separator: " ").dropFirst().first
            return digits.flatMap { Int($0) }
        }
        return nil
    }

    /// The largest peak resident set of any child process reaped so far, in KiB
    /// (`getrusage(RUSAGE_CHILDREN)`).
    static func peakChildResidentKiB() -> Int? {
        var usage = rusage()
        guard getrusage(RUSAGE_CHILDREN.rawValue, &usage) == 0 else { return nil }
        return Int(usage.ru_maxrss)
    }
}
