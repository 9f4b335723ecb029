/// One reason a job was judged heavy, shown to the submitter with the quote.
public struct Signal: Codable, Sendable, Equatable {
    /// The family, e.g. `pytorch`, `large-dataset`; each appears at most once.
    public var name: String
    public var points: Int
    /// What triggered it: `requirements.txt:3: torch` or `train.py:12: …`.
    public var evidence: String

    public init(name: String, points: Int, evidence: String) {
        self.name = name
        self.points = points
        self.evidence = evidence
    }
}
