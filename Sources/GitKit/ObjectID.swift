import CGit2

/// A git object name (SHA-1), held as three integers so it hashes and compares
/// cheaply.
///
/// Ordering is the same as ordering the lowercase hex strings, so sorted lists
/// of ids are stable across machines. Encodes to JSON as the 40-character hex
/// string.
public struct ObjectID: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    private var high: UInt64
    private var middle: UInt64
    private var low: UInt32

    /// The all-zero id, which git uses on the wire for "no such ref".
    public static let zero = ObjectID(high: 0, middle: 0, low: 0)

    private init(high: UInt64, middle: UInt64, low: UInt32) {
        self.high = high
        self.middle = middle
        self.low = low
    }

    /// Parses exactly 40 hex digits (either case); anything else gives nil.
    public init?(hex: String) {
        let digits = Array(hex.utf8)
        guard digits.count == 40 else { return nil }
        var bytes = [UInt8]()
        bytes.reserveCapacity(20)
        for index in stride(from: 0, to: 40, by: 2) {
            guard let upper = Self.nibble(digits[index]), let lower = Self.nibble(digits[index + 1])
            else { return nil }
            bytes.append(upper << 4 | lower)
        }
        self.init(bytes: bytes)
    }

    /// The 40 lowercase hex digits.
    public var hex: String {
        let table = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(40)
        for byte in bytes {
            text.append(table[Int(byte >> 4)])
            text.append(table[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    public var description: String { hex }

    public var isZero: Bool { self == .zero }

    public static func < (left: ObjectID, right: ObjectID) -> Bool {
        (left.high, left.middle, left.low) < (right.high, right.middle, right.low)
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let parsed = ObjectID(hex: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "not a 40-hex git object id: \(text)")
        }
        self = parsed
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }

    // MARK: - Bridging to libgit2's git_oid

    /// Copies a libgit2 `git_oid` (20 raw bytes).
    init(_ oid: git_oid) {
        var copy = oid
        let bytes = withUnsafeBytes(of: &copy.id) { Array($0) }
        self.init(bytes: bytes)
    }

    /// Copies the id a libgit2 accessor points at; libgit2 never returns NULL
    /// for the accessors used with this (they point into a live object).
    init(_ pointer: UnsafePointer<git_oid>) {
        self.init(pointer.pointee)
    }

    /// The id as libgit2's `git_oid`, for passing by pointer.
    var oid: git_oid {
        var result = git_oid()
        let source = bytes
        withUnsafeMutableBytes(of: &result.id) { raw in
            for (index, byte) in source.enumerated() { raw[index] = byte }
        }
        return result
    }

    private init(bytes: [UInt8]) {
        var high: UInt64 = 0
        var middle: UInt64 = 0
        var low: UInt32 = 0
        for byte in bytes[0..<8] { high = high << 8 | UInt64(byte) }
        for byte in bytes[8..<16] { middle = middle << 8 | UInt64(byte) }
        for byte in bytes[16..<20] { low = low << 8 | UInt32(byte) }
        self.init(high: high, middle: middle, low: low)
    }

    private var bytes: [UInt8] {
        var result = [UInt8]()
        result.reserveCapacity(20)
        for shift in stride(from: 56, through: 0, by: -8) {
            result.append(UInt8(truncatingIfNeeded: high >> UInt64(shift)))
        }
        for shift in stride(from: 56, through: 0, by: -8) {
            result.append(UInt8(truncatingIfNeeded: middle >> UInt64(shift)))
        }
        for shift in stride(from: 24, through: 0, by: -8) {
            result.append(UInt8(truncatingIfNeeded: low >> UInt32(shift)))
        }
        return result
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
