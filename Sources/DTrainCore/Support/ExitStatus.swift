/// The exit codes of the `dtrain` command, documented in the README and `dtrain --help`.
///
/// Scripts and cron wrappers branch on these, so a value never changes meaning once released.
public enum ExitStatus: Int32, Sendable, CaseIterable {
    case ok = 0
    /// Something failed that is not one of the cases below (a bug, a disk error, a git error).
    case failure = 1
    /// The command line was wrong: unknown command or option, missing argument.
    case usage = 2
    /// A job, account, worker or spool that was named does not exist.
    case notFound = 3
    /// Input was refused: a hostile or corrupt ZIP, a malformed manifest, a bad amount.
    case rejected = 4
    /// The account does not hold enough money for what was asked.
    case insufficientFunds = 5
    /// The spool moved under us: an illegal state transition, a lost claim race, a busy lock.
    case conflict = 6
    /// The remote could not be reached or refused to talk; local work is kept for `dtrain sync`.
    case unreachable = 7
    /// A job that was followed ended badly (failed, timed out, cancelled).
    case jobFailed = 8
    /// The acting user may not take this step: a credit by a non-admin, a change to
    /// someone else's job.
    case notPermitted = 9
}

/// An error that knows how the command should exit and what the person should read.
///
/// Every domain error in dtrain conforms, so the executable's single top-level catch can print
/// `dtrain: error: …` and exit with a documented code without knowing each error type.
public protocol DTrainError: Error, CustomStringConvertible {
    var exitStatus: ExitStatus { get }
}
