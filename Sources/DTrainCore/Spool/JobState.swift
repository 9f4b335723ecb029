/// The life of a job, and the only transitions the spool accepts.
///
/// A job's state is never stored as a mutable field: it is the state named by the job's
/// newest state record (see `StateRecord`). Every new record is checked against `canMove`.
public enum JobState: String, Codable, Sendable, CaseIterable, Comparable {
    case draft
    case published
    case claimed
    case running
    case succeeded
    case failed
    case timedOut = "timed-out"
    case cancelled

    /// Final states end the job: its escrow must be empty and no record may follow.
    public var isFinal: Bool {
        switch self {
        case .succeeded, .failed, .timedOut, .cancelled: true
        case .draft, .published, .claimed, .running: false
        }
    }

    /// The transitions of the state machine. `claimed`/`running` may fall back to
    /// `published` when a lease lapses or a worker hands a job back (a requeue).
    public static let transitions: [JobState: Set<JobState>] = [
        .draft: [.published, .cancelled],
        .published: [.claimed, .cancelled],
        .claimed: [.running, .published, .failed],
        .running: [.succeeded, .failed, .timedOut, .published],
        .succeeded: [], .failed: [], .timedOut: [], .cancelled: [],
    ]

    public func canMove(to next: JobState) -> Bool {
        Self.transitions[self, default: []].contains(next)
    }

    public static func < (lhs: JobState, rhs: JobState) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
