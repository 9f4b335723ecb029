import DTrainCore

/// Plain-text tables for terminals: columns padded to their widest cell.
enum Table {
    static func render(header: [String], rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in
            all.map { $0[column].count }.max() ?? 0
        }
        return all.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1
                    ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}

/// A quote as a person reads it: every signal with its points, then the arithmetic.
enum QuoteText {
    static func render(_ quote: Quote, currency: SpoolConfig.Currency) -> String {
        var lines = ["quote:"]
        if quote.signals.isEmpty { lines.append("  (no complexity signals found)") }
        for signal in quote.signals {
            lines.append("  +\(signal.points)  \(signal.name)  [\(signal.evidence)]")
        }
        lines.append("  rule score    \(quote.ruleScore)")
        if let second = quote.secondScore {
            lines.append("  second score  \(second)")
        } else if let note = quote.secondScoreNote {
            lines.append("  second score  none (\(note))")
        }
        lines.append("  final score   \(quote.finalScore)")
        lines.append("  price         \(currency.format(quote.price))")
        lines.append(
            "    worker \(currency.format(quote.workerShare)), "
                + "platform \(currency.format(quote.platformFee))")
        for warning in quote.warnings {
            lines.append("  warning: \(warning)")
        }
        return lines.joined(separator: "\n")
    }
}

/// "1 job", "3 jobs": counts in sentences read as a person would write them.
enum Count {
    static func of(_ count: Int, _ singular: String, plural: String? = nil) -> String {
        "\(count) " + (count == 1 ? singular : plural ?? singular + "s")
    }
}

/// Text a job chose (its output file names) made safe for a terminal: control and format
/// characters are shown as escapes, so a name cannot move the cursor, retitle the window,
/// reorder what it shows or fake a line of dtrain's own.
enum Printable {
    static func escaped(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            // Format characters too: a right-to-left override shows "uni<U+202E>gnp.exe"
            // as "uniexe.png".
            let category = scalar.properties.generalCategory
            if category == .control || category == .format {
                result += scalar.escaped(asASCII: true)
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
