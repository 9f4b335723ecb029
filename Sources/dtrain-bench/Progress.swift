import Foundation

/// Progress for the person waiting, on stderr, so stdout stays clean for
/// `--json`.
enum Progress {
    static func say(_ message: String) {
        FileHandle.standardError.write(Data(("dtrain-bench: " + message + "\n").utf8))
    }
}

/// How figures are written in tables.
enum Format {
    /// `0.0123` → `12.3 ms`, `4.5` → `4.50 s`.
    static func seconds(_ value: Double?) -> String {
        guard let value else { return "-" }
        if value < 1 { return String(format: "%.1f ms", value * 1000) }
        return String(format: "%.2f s", value)
    }

    static func number(_ value: Double, digits: Int = 2) -> String {
        String(format: "%.\(digits)f", value)
    }

    /// `123456` → `123,456`.
    static func count(_ value: Int) -> String {
        let digits = String(value)
        var result = ""
        for (index, character) in digits.reversed().enumerated() {
            if index > 0, index % 3 == 0 { result.append(",") }
            result.append(character)
        }
        return String(result.reversed())
    }

    static func bytes(_ value: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB"]
        var size = Double(value)
        var unit = 0
        while size >= 1024, unit < units.count - 1 {
            size /= 1024
            unit += 1
        }
        return unit == 0 ? "\(value) B" : String(format: "%.1f %@", size, units[unit])
    }
}

/// Plain-text tables: columns padded to their widest cell, numbers
/// right-aligned.
enum TextTable {
    static func render(title: String, header: [String], rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in
            all.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0
        }
        let lines = all.map { row in
            row.enumerated().map { column, cell in
                let pad = String(repeating: " ", count: max(0, widths[column] - cell.count))
                return column == 0 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }
        let rule = String(repeating: "-", count: lines.map(\.count).max() ?? 0)
        return ([title, rule] + [lines[0], rule] + lines.dropFirst()).joined(separator: "\n")
    }
}
