/// Named samples of seconds, collected while a section runs.
struct Timings {
    private var samples: [String: [Double]] = [:]

    /// Runs `body`, adding its duration to the samples of `name`.
    mutating func time<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
        let (value, seconds) = try Stopwatch.time(body)
        samples[name, default: []].append(seconds)
        return value
    }

    func median(_ name: String) -> Double? {
        Samples.median(samples[name] ?? [])
    }
}
