import GitKit

/// What can go wrong with the spool itself, in words a user can act on.
public enum SpoolError: DTrainError, Equatable {
    case notASpool(String)
    case alreadyASpool(String)
    /// The spool's folder could not be made (exit 1): a file in the way, no permission.
    case cannotCreate(path: String, why: String)
    case noIdentity
    case invalidName(String)
    case jobNotFound(String)
    case ambiguousJob(String, [String])
    case illegalTransition(job: String, from: JobState, to: JobState)
    /// The acting user may not do this (exit 9): a different user, or an admin, might.
    case notPermitted(String)
    /// A value given on the command line that no spool would accept (exit 2).
    case invalidValue(String)
    /// The spool or clone is already in a state that rules this out (exit 6).
    case stateConflict(String)
    /// What was asked for does not exist (yet): e.g. the outputs of a running job (exit 3).
    case unavailable(String)
    /// Input refused for its content or size (exit 4).
    case refusedInput(String)
    case invalidAmount(String)
    case malformed(path: String, why: String)
    case contention(String)
    /// A ref of this clone stays locked (exit 6): see `RefLock`.
    case locked(file: String, ageSeconds: Int)
    case insufficientFunds(account: String, balance: String, needed: String, entry: String)
    /// A job's payload or results ref is gone and the archive it was folded into (nil:
    /// the job is not final, so it was never folded) does not hold it either.
    case storedRefMissing(job: String, ref: String, archive: String?)

    /// The lock error for a ref lock that stayed, or nil for any other error.
    public static func fromLock(_ error: Error) -> SpoolError? {
        guard let error = error as? GitError, error.isLocked else { return nil }
        let file = error.lockFile ?? "a ref lock file"
        return .locked(file: file, ageSeconds: Int(RefLock.age(of: file) ?? 0))
    }

    /// Scripts branch on these, so each kind of refusal has a code of its own.
    public var exitStatus: ExitStatus {
        switch self {
        case .notASpool, .jobNotFound, .unavailable, .storedRefMissing: .notFound
        case .alreadyASpool, .illegalTransition, .contention, .stateConflict, .locked:
            .conflict
        case .cannotCreate: .failure
        case .noIdentity, .invalidName, .invalidValue, .ambiguousJob: .usage
        case .malformed, .invalidAmount, .refusedInput: .rejected
        case .insufficientFunds: .insufficientFunds
        case .notPermitted: .notPermitted
        }
    }

    public var description: String {
        switch self {
        case .notASpool(let path):
            "\(path) is not a dtrain spool (create one with 'dtrain init \(path)')"
        case .alreadyASpool(let path):
            "\(path) already holds a git repository; refusing to initialise over it"
        case .cannotCreate(let path, let why):
            "cannot create a spool at \(path): \(why)"
        case .noIdentity:
            "no user set for this clone: run 'dtrain config user NAME' or pass --as NAME"
        case .invalidName(let name):
            "'\(name)' is not a valid name (letters, digits, '-', '_' and '.', up to 80)"
        case .jobNotFound(let job):
            "no job '\(job)' in this clone (see 'dtrain jobs'; 'dtrain sync' fetches new ones)"
        case .ambiguousJob(let prefix, let matches):
            "'\(prefix)' matches several jobs: " + matches.prefix(5).joined(separator: ", ")
        case .illegalTransition(let job, let from, let to):
            "job \(job) is \(from.rawValue) and cannot become \(to.rawValue)"
        case .notPermitted(let why), .invalidValue(let why), .stateConflict(let why),
            .unavailable(let why), .refusedInput(let why):
            why
        case .invalidAmount(let text): "'\(text)' is not a valid amount (e.g. 250 or 99.50)"
        case .malformed(let path, let why): "malformed \(path) in the spool: \(why)"
        case .insufficientFunds(let account, let balance, let needed, let entry):
            "insufficient funds: \(account) holds \(balance) but \(entry) needs \(needed)"
        case .locked(let file, let age):
            "\(file) is locked (for \(age) s). If no dtrain or git command is working on "
                + "this repository, a killed one left it behind: remove the file (dtrain does "
                + "so itself once it is \(Int(RefLock.staleAfter)) s old)"
        case .contention(let what):
            "\(what): the spool kept changing under us; try again"
        case .storedRefMissing(let job, let ref, nil):
            "job \(job): \(ref) is neither in this clone nor on the remote"
        case .storedRefMissing(let job, let ref, let archive?):
            "job \(job): \(ref) is gone from the remote and \(archive) does not hold it "
                + "(was that month's archive deleted?)"
        }
    }
}
