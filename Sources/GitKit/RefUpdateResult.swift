/// The outcome of pushing one ref: accepted, or refused with the reason.
///
/// A refusal (lost compare-and-swap, hook said no) is a normal result, not an
/// error: the caller re-reads the remote and retries. Errors are reserved for
/// failing to talk to the remote at all.
public struct RefUpdateResult: Sendable, Equatable {
    public var ref: String
    /// nil = the remote ref now has the pushed value; else why it was refused.
    public var rejected: String?
    /// When refused because the remote's ref stayed locked: the lock file, for
    /// a person to look at (see `RefLock`).
    public var lockFile: String?

    public init(ref: String, rejected: String?, lockFile: String? = nil) {
        self.ref = ref
        self.rejected = rejected
        self.lockFile = lockFile
    }

    public var isAccepted: Bool { rejected == nil }
}
