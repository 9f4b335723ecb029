import DTrainCore

/// One option a command accepts: a flag when `value` is nil, else an option taking a value.
struct OptionSpec: Sendable {
    var name: String
    var short: Character? = nil
    var value: String? = nil
    var help: String
    var repeatable = false
}

/// The parsed command line of one invocation.
struct Invocation {
    var command: CommandSpec
    var values: [String: [String]] = [:]
    var flags: Set<String> = []
    var positionals: [String] = []

    func value(_ name: String) -> String? { values[name]?.last }
    func all(_ name: String) -> [String] { values[name] ?? [] }
    func flag(_ name: String) -> Bool { flags.contains(name) }

    func positional(_ index: Int) -> String? {
        index < positionals.count ? positionals[index] : nil
    }

    func requirePositional(_ index: Int, _ what: String) throws -> String {
        guard let value = positional(index) else {
            throw UsageError("missing \(what)", command: command)
        }
        return value
    }
}

/// A wrong command line; printed with the command's usage and exit code 2.
struct UsageError: DTrainError {
    var message: String
    var command: CommandSpec?

    init(_ message: String, command: CommandSpec? = nil) {
        self.message = message
        self.command = command
    }

    var exitStatus: ExitStatus { .usage }

    var description: String {
        guard let command else { return message + " (see 'dtrain --help')" }
        return message + "\nusage: " + command.usage + "\n(see 'dtrain \(command.name) --help')"
    }
}

/// Options every command accepts.
let globalOptions: [OptionSpec] = [
    OptionSpec(
        name: "spool", value: "DIR",
        help: "the spool to use (default: $DTRAIN_SPOOL, "
            + "the current folder if it is a spool, else ./spool)"),
    OptionSpec(name: "as", value: "NAME", help: "act as this user instead of the clone's user"),
    OptionSpec(name: "json", help: "print machine-readable JSON on stdout"),
    OptionSpec(name: "verbose", short: "v", help: "say more on stderr"),
    OptionSpec(name: "quiet", short: "q", help: "say only errors on stderr"),
    OptionSpec(name: "help", short: "h", help: "show help for the command"),
]

enum CommandLineParser {
    /// Finds the command (the longest run of leading words naming one) and parses its options.
    static func parse(_ arguments: [String], commands: [CommandSpec]) throws -> Invocation? {
        let words = arguments.prefix { !$0.hasPrefix("-") }
        var command: CommandSpec?
        for length in stride(from: min(words.count, 2), through: 1, by: -1) {
            let path = words.prefix(length).joined(separator: " ")
            if let match = commands.first(where: { $0.name == path }) {
                command = match
                break
            }
        }
        guard let command else {
            if let first = words.first {
                throw UsageError("unknown command '\(first)'")
            }
            return nil
        }

        var invocation = Invocation(command: command)
        let specs = command.options + globalOptions
        var rest = Array(arguments.dropFirst(command.name.split(separator: " ").count))
        var onlyPositionals = false
        while !rest.isEmpty {
            let word = rest.removeFirst()
            if onlyPositionals || !word.hasPrefix("-") || word == "-" {
                invocation.positionals.append(word)
                continue
            }
            if word == "--" {
                onlyPositionals = true
                continue
            }
            var name = String(word.drop { $0 == "-" })
            var inline: String?
            if let equals = name.firstIndex(of: "=") {
                inline = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            let spec = specs.first {
                word.hasPrefix("--") ? $0.name == name : ($0.short.map(String.init) == name)
            }
            guard let spec else { throw UsageError("unknown option '\(word)'", command: command) }
            if spec.value == nil {
                guard inline == nil else {
                    throw UsageError("option --\(spec.name) takes no value", command: command)
                }
                invocation.flags.insert(spec.name)
                continue
            }
            guard let value = inline ?? (rest.isEmpty ? nil : rest.removeFirst()) else {
                throw UsageError(
                    "option --\(spec.name) needs a value (\(spec.value!))", command: command)
            }
            if !spec.repeatable, invocation.values[spec.name] != nil {
                throw UsageError("option --\(spec.name) given twice", command: command)
            }
            invocation.values[spec.name, default: []].append(value)
        }
        if !invocation.flag("help"), invocation.positionals.count > command.maxPositionals {
            throw UsageError(
                "unexpected argument '\(invocation.positionals[command.maxPositionals])'",
                command: command)
        }
        return invocation
    }
}
