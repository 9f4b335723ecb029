import DTrainCore
import Testing

/// Durations as the command line takes them (`--timeout`, `--poll`, `--older-than`).
@Suite("durations on the command line")
struct QuantitiesTests {
    @Test(
        "plain seconds and unit sums parse; zero reads the same with or without a unit",
        arguments: [
            ("90", 90), ("90s", 90), ("30m", 1_800), ("2h", 7_200), ("1d12h", 129_600),
            ("0", 0), ("0s", 0), ("0d", 0),
        ] as [(String, Int)])
    func parses(text: String, seconds: Int) {
        #expect(Quantities.duration(text) == seconds)
    }

    @Test(
        "empty, unknown units, dangling numbers and overflow are refused",
        arguments: ["", "s", "5x", "5m3", "-5s", "999999999999999999d"])
    func refuses(text: String) {
        #expect(Quantities.duration(text) == nil)
    }
}
