import Testing

@testable import DTrainCore

@Suite("Spool configuration")
struct SpoolConfigTests {
    @Test("the standard ladder covers 0…100 and validates")
    func standardValidates() throws {
        try SpoolConfig.standard.validate()
        #expect(SpoolConfig.standard.price(forScore: 0) == 1_000)
        #expect(SpoolConfig.standard.price(forScore: 55) == 7_500)
        #expect(SpoolConfig.standard.price(forScore: 100) == 50_000)
    }

    @Test("a split never loses a minor unit", arguments: [0, 1, 7, 99, 1_001, 50_000])
    func splitSums(price: Int64) {
        let (worker, platform) = SpoolConfig.standard.split.divide(price)
        #expect(worker + platform == price)
        #expect(worker == price * 80 / 100)
    }

    @Test("currency formats minor units")
    func currencyFormat() {
        let inr = SpoolConfig.standard.currency
        #expect(inr.format(1_250) == "INR 12.50")
        #expect(inr.format(5) == "INR 0.05")
        #expect(inr.format(-300) == "INR -3.00")
    }
}
