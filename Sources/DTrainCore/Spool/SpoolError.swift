/// What can go wrong with the spool itself, in words a user can act on.
public enum SpoolError: DTrainError, Equatable {
    case notASpool(String)
    case alreadyASpool(String)
    case noIdentity
    case invalidName(String)
    case jobNotFound(String)
    case ambiguousJob(String, [String])
    case illegalTransition(job: String, from: JobState, to: JobState)
    case notPermitted(String)
    case invalidAmount(String)
    case malformed(path: String, why: String)
    case contention(String)
    case insufficientFunds(account: String, balance: String, needed: String, entry: String)
    /// A job's payload or results ref is gone and the archive it was folded into (nil:
    /// the job is not final, so it was never folded) does not hold it either.
    case storedRefMissing(job: String, ref: String, archive: String?)

    // FIXME: `notPermitted` covers both "you may not" (someone else's job, a credit by a
    // non-admin) and some refused values, all exiting 2 like a usage error; scripts cannot
    // tell them apart. Split it before scripts come to rely on the code.
    public var exitStatus: ExitStatus {
        switch self {
        case .notASpool, .jobNotFound, .storedRefMissing: .notFound
        case .alreadyASpool, .illegalTransition, .contention: .conflict
        case .noIdentity, .invalidName, .notPermitted, .ambiguousJob: .usage
        case .malformed, .invalidAmount: .rejected
        case .insufficientFunds: .insufficientFunds
        }
    }

    public var description: String {
        switch self {
        case .notASpool(let path):
            "\(path) is not a dtrain spool (create one with 'dtrain init \(path)')"
        case .alreadyASpool(let path):
            "\(path) already holds a git repository; refusing to initialise over it"
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
        case .notPermitted(let why): why
        case .invalidAmount(let text): "'\(text)' is not a valid amount (e.g. 250 or 99.50)"
        case .malformed(let path, let why): "malformed \(path) in the spool: \(why)"
        case .insufficientFunds(let account, let balance, let needed, let entry):
            "insufficient funds: \(account) holds \(balance) but \(entry) needs \(needed)"
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
