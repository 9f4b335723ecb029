import DTrainCore
import Foundation

/// Every command, in the order `dtrain --help` lists them.
let commands: [CommandSpec] =
    SpoolCommands.all + JobCommands.all + LedgerCommands.all + RemoteCommands.all
    + WorkerCommands.all + OutputCommands.all

func topLevelHelp() -> String {
    var text = """
        dtrain — an offline-first batch scheduler for ML training jobs, queued in git

        usage: dtrain COMMAND [OPTIONS]

        commands:

        """
    for command in commands {
        text +=
            "  " + command.name.padding(toLength: 16, withPad: " ", startingAt: 0)
            + command.summary + "\n"
    }
    text += "\nglobal options:\n" + CommandSpec.describe(globalOptions)
    text += "\nexit codes:\n"
    for status in ExitStatus.allCases {
        text += "  \(status.rawValue)  \(status)\n"
    }
    text += "\n'dtrain COMMAND --help' tells more about a command.\n"
    return text
}

/// Runs one command line and returns the exit status; the only place errors are printed.
func runDTrain(_ arguments: [String]) -> ExitStatus {
    if arguments.isEmpty || arguments == ["--help"] || arguments == ["-h"] {
        print(topLevelHelp(), terminator: "")
        return .ok
    }
    if arguments == ["--version"] {
        print("dtrain 0.1 (format \(SpoolConfig.currentFormatVersion))")
        return .ok
    }
    do {
        guard let invocation = try CommandLineParser.parse(arguments, commands: commands) else {
            print(topLevelHelp(), terminator: "")
            return .usage
        }
        if invocation.flag("help") {
            print(invocation.command.help(), terminator: "")
            return .ok
        }
        return try invocation.command.run(invocation, Context(invocation: invocation))
    } catch {
        // A lock that stayed, from any path that did not name it itself, reads as one.
        let reported: Error = SpoolError.fromLock(error) ?? error
        Console(json: false, level: .error).say("\(reported)", level: .error)
        return (reported as? DTrainError)?.exitStatus ?? .failure
    }
}

exit(runDTrain(Array(CommandLine.arguments.dropFirst())).rawValue)
