import DTrainCore

/// A command of the `dtrain` tool: its name, its help and what it does.
struct CommandSpec: Sendable {
    var name: String
    var summary: String
    var usage: String
    var options: [OptionSpec] = []
    var maxPositionals = 0
    /// Longer help: what the command does and an example.
    var details: String = ""
    var run: @Sendable (Invocation, Context) throws -> ExitStatus

    func help() -> String {
        var text = "\(summary)\n\nusage: \(usage)\n"
        if !details.isEmpty {
            text += "\n" + details + "\n"
        }
        text += "\noptions:\n" + Self.describe(options + globalOptions)
        return text
    }

    static func describe(_ options: [OptionSpec]) -> String {
        options.map { option in
            var left = "  " + (option.short.map { "-\($0), " } ?? "    ") + "--" + option.name
            if let value = option.value { left += " " + value }
            let pad = String(repeating: " ", count: max(1, 28 - left.count))
            return left + pad + option.help
        }.joined(separator: "\n") + "\n"
    }
}
