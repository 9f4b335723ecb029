import Foundation

/// One value as SQLite stores it: its five storage classes, nothing more.
///
/// Kept this small on purpose: callers convert to their own types at the edge,
/// so no silent coercion (text to number, real to integer) happens inside the
/// wrapper.
public enum SQLValue: Sendable, Equatable, Hashable {
    case null
    case int(Int64)
    case real(Double)
    case text(String)
    case blob(Data)

    /// The integer, if this is one.
    public var int: Int64? {
        if case .int(let value) = self { return value }
        return nil
    }

    /// The floating-point number, if this is one.
    public var real: Double? {
        if case .real(let value) = self { return value }
        return nil
    }

    /// The text, if this is text.
    public var text: String? {
        if case .text(let value) = self { return value }
        return nil
    }

    /// The bytes, if this is a blob.
    public var blob: Data? {
        if case .blob(let value) = self { return value }
        return nil
    }

    public var isNull: Bool { self == .null }
}

extension SQLValue: ExpressibleByIntegerLiteral, ExpressibleByStringLiteral,
    ExpressibleByNilLiteral, ExpressibleByFloatLiteral
{
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(stringLiteral value: String) { self = .text(value) }
    public init(nilLiteral: ()) { self = .null }
    public init(floatLiteral value: Double) { self = .real(value) }
}
