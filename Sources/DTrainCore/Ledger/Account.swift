/// Where money sits in the ledger. Written everywhere as one string,
/// `user:alice`, `worker:gpu-01`, `escrow:<job>`, `platform` or `world`, so
/// entries stay readable in `git log -p` and sort the same on every machine.
///
/// `world` is everything outside dtrain: credits come from it and payouts go to
/// it, so its balance is minus the money inside the system and may be negative.
/// Every other account must stay at or above zero.
public enum Account: Hashable, Sendable {
    /// A person who submits jobs and pays for them.
    case user(String)
    /// A machine (or its owner) that runs jobs and is paid for them.
    case worker(String)
    /// Money held for one job between its reservation and its settlement.
    case escrow(job: String)
    /// The platform's fee income.
    case platform
    /// Outside the system: the source of credits and the sink of payouts.
    case world

    /// The part before the colon in the string form, one per case.
    public enum Kind: String, Sendable, CaseIterable {
        case user, worker, escrow, platform, world
    }

    public var kind: Kind {
        switch self {
        case .user: .user
        case .worker: .worker
        case .escrow: .escrow
        case .platform: .platform
        case .world: .world
        }
    }

    /// The name after the colon; nil for `platform` and `world`.
    public var name: String? {
        switch self {
        case .user(let name), .worker(let name), .escrow(job: let name): name
        case .platform, .world: nil
        }
    }

    /// Whether running short in this account is the person's own problem (a
    /// user or worker spending money they do not have) rather than a broken
    /// entry.
    public var belongsToPerson: Bool { kind == .user || kind == .worker }

    /// True if the name can be written and read back unchanged: not empty, and
    /// no whitespace or control characters (which would hide in logs and
    /// listings).
    public var isWellFormed: Bool {
        guard let name else { return true }
        return Self.isValidName(name)
    }

    /// The rule `isWellFormed` applies to user, worker and job names.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty
            && name.unicodeScalars.allSatisfy {
                !$0.properties.isWhitespace && $0.properties.generalCategory != .control
                    && $0.properties.generalCategory != .format
            }
    }
}

extension Account: CustomStringConvertible, LosslessStringConvertible {
    public var description: String {
        guard let name else { return kind.rawValue }
        return "\(kind.rawValue):\(name)"
    }

    /// Parses the string form; nil for an unknown kind or a badly formed name.
    ///
    /// Only the first colon separates, so a name may itself hold colons and
    /// still round-trip.
    public init?(_ description: String) {
        let parts = description.split(
            separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard let kind = Kind(rawValue: String(parts[0])) else { return nil }
        let name = parts.count == 2 ? String(parts[1]) : nil
        switch (kind, name) {
        case (.platform, nil): self = .platform
        case (.world, nil): self = .world
        case (.user, let name?) where Self.isValidName(name): self = .user(name)
        case (.worker, let name?) where Self.isValidName(name): self = .worker(name)
        case (.escrow, let name?) where Self.isValidName(name): self = .escrow(job: name)
        default: return nil
        }
    }
}

extension Account: Comparable {
    /// Orders by kind in declaration order (users, workers, escrows, platform,
    /// world), then by name, so balance listings come out the same everywhere.
    public static func < (lhs: Account, rhs: Account) -> Bool {
        let left = Kind.allCases.firstIndex(of: lhs.kind) ?? 0
        let right = Kind.allCases.firstIndex(of: rhs.kind) ?? 0
        if left != right { return left < right }
        return (lhs.name ?? "") < (rhs.name ?? "")
    }
}

extension Account: Codable {
    /// Decodes the string form; a malformed account makes the whole record
    /// invalid.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let account = Account(text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "not an account: \(text.debugDescription)")
        }
        self = account
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
