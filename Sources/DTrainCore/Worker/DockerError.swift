import Foundation

/// A `docker` command that failed: which subcommand, its exit code, and what it
/// said.
///
/// The one error type of the Docker wrapper, made only by `DockerCLI.check`, so
/// every failure reads the same way and carries Docker's own words for the
/// person at the worker.
public struct DockerError: DTrainError, Equatable {
    /// The subcommand, e.g. `create` or `inspect`.
    public var command: String
    /// The client's exit code; `nil` when the client could not be started at
    /// all.
    public var status: Int32?
    /// Docker's message (its stderr, trimmed), or why the client did not start.
    public var message: String

    public init(command: String, status: Int32?, message: String) {
        self.command = command
        self.status = status
        self.message = message
    }

    public var exitStatus: ExitStatus { .failure }

    /// True when Docker said the container or image does not exist.
    public var isNoSuchObject: Bool {
        message.range(of: "No such", options: .caseInsensitive) != nil
    }

    /// True when another caller is already removing the container: the run's own
    /// cleanup and a worker's `remove` can meet on one container.
    public var isRemovalInProgress: Bool {
        message.range(of: "already in progress", options: .caseInsensitive) != nil
    }

    public var description: String {
        guard let status else {
            return "cannot run the docker client for 'docker \(command)': \(message); "
                + "is docker.io installed (examples/node/install-deps.sh)?"
        }
        let said = message.isEmpty ? "no message" : message
        return "'docker \(command)' failed with exit code \(status): \(said)"
    }
}
