/// How a container run ended.
public enum ContainerOutcome: Sendable, Equatable {
    /// The job's process exited with this code (137 when killed, e.g. out of
    /// memory).
    case exited(Int32)
    /// The job ran past `timeoutSeconds` and was stopped; the container is
    /// gone.
    case timedOut
    /// The worker, not the job, is at fault (Docker down, image missing, a
    /// mount refused): the job should be put back in the queue rather than
    /// marked failed.
    case workerFault(String)
}

extension ContainerOutcome: CustomStringConvertible {
    /// The last line of a job's log (`LogBuffer.finish(note:)`), for people.
    public var description: String {
        switch self {
        case .exited(0): "exit code 0"
        case .exited(EntryScript.missingRequirementExitCode):
            "exit code 97: a requirement is neither in the image nor in the wheelhouse"
        case .exited(let code) where code > 128 && code < 160:
            "exit code \(code) (killed by signal \(code - 128))"
        case .exited(let code): "exit code \(code)"
        case .timedOut: "timed out: stopped at the job's time limit"
        case .workerFault(let why): "not run, the worker is at fault: \(why)"
        }
    }
}
