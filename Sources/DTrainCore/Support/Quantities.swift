/// Parsing of the amounts, durations and sizes people type on the command line.
///
/// Money is parsed as decimal text straight into minor units, never through a floating-point
/// number, so `0.29` rupees is exactly 29 paise.
public enum Quantities {
    /// `250`, `99.5`, `99.50` (major units) → minor units; nil if malformed or too precise.
    public static func money(_ text: String, minorPerMajor: Int64) -> Int64? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = digits(parts[0]) else { return nil }
        let decimals = String(minorPerMajor - 1).count
        var fraction: Int64 = 0
        if parts.count == 2 {
            let text = parts[1]
            guard !text.isEmpty, text.count <= decimals, minorPerMajor > 1,
                let value = digits(text)
            else { return nil }
            fraction = value * pow10(decimals - text.count)
        }
        let (scaled, overflow) = whole.multipliedReportingOverflow(by: minorPerMajor)
        guard !overflow else { return nil }
        let (sum, overflowed) = scaled.addingReportingOverflow(fraction)
        return overflowed ? nil : sum
    }

    /// `90`, `90s`, `30m`, `2h`, `1h30m`, `1d` → seconds.
    public static func duration(_ text: String) -> Int? {
        if let plain = digits(Substring(text)) { return Int(plain) }
        var total = 0
        var number = ""
        for character in text {
            if character.isASCII, character.isNumber {
                number.append(character)
                continue
            }
            let unit: Int
            switch character {
            case "s": unit = 1
            case "m": unit = 60
            case "h": unit = 3_600
            case "d": unit = 86_400
            default: return nil
            }
            // Checked: `999999999999999999d` is a typo to refuse, not a crash.
            guard let value = Int(number) else { return nil }
            let (seconds, overflow) = value.multipliedReportingOverflow(by: unit)
            let (sum, overflowed) = total.addingReportingOverflow(seconds)
            guard !overflow, !overflowed else { return nil }
            total = sum
            number = ""
        }
        // "0s" means 0 as "0" does; whether 0 is allowed is each option's own rule.
        return number.isEmpty && !text.isEmpty ? total : nil
    }

    /// `512m`, `4g`, `4G`, `1024k`, `100` (bytes) → bytes.
    public static func bytes(_ text: String) -> Int64? {
        let lower = text.lowercased().replacingOccurrences(of: "ib", with: "")
            .replacingOccurrences(of: "b", with: "")
        let shifts: [Character: Int64] = ["k": 10, "m": 20, "g": 30, "t": 40]
        if let last = lower.last, let shift = shifts[last] {
            guard let value = digits(lower.dropLast()), value < (1 << (62 - shift)) else {
                return nil
            }
            return value << shift
        }
        return digits(Substring(lower))
    }

    private static func digits(_ text: Substring) -> Int64? {
        guard !text.isEmpty, text.count <= 18, text.allSatisfy({ $0.isASCII && $0.isNumber })
        else { return nil }
        return Int64(text)
    }

    private static func pow10(_ exponent: Int) -> Int64 {
        (0..<exponent).reduce(1) { value, _ in value * 10 }
    }
}
