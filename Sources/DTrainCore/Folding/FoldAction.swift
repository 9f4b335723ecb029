/// What folding did to one finished job's payload and results refs.
public struct FoldAction: Codable, Sendable, Equatable {
    /// What became of one ref of the job.
    public struct Ref: Codable, Sendable, Equatable {
        public enum Outcome: String, Codable, Sendable {
            /// The archive holds the same tree, and this run deleted the ref on the remote.
            case deleted
            /// Gone from the remote already: another fold deleted it first, which a fold
            /// does only once its archive holds the same tree.
            case goneAlready = "gone-already"
            /// Left on the remote: `reason` says why. Nothing of it is lost; a later gc
            /// looks again.
            case kept
        }

        public var ref: String
        public var outcome: Outcome
        public var reason: String?
    }

    public var job: String
    /// The archive ref that now holds the job's trees.
    public var archive: String
    public var refs: [Ref]

    /// Refs this run deleted from the remote.
    public var deleted: [String] {
        refs.filter { $0.outcome == .deleted }.map(\.ref)
    }
}

/// What one `dtrain gc` did.
public struct GarbageReport: Codable, Sendable {
    /// Claim refs of final jobs deleted from the remote.
    public var claims: [ReapAction] = []
    /// Finished jobs whose payload and results refs were folded into archive refs.
    public var folded: [FoldAction] = []
    /// Final jobs past the grace period that the batch limit left for the next run.
    public var remaining = 0
}
