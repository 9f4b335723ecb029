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
