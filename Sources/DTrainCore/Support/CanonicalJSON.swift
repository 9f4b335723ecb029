import Foundation

/// Canonical JSON: the one byte form every committed record takes.
///
/// Sorted keys and a fixed layout mean that the same fact written on two machines is the same
/// blob, so git sees no conflict, and a replayed record is recognised as identical.
public enum CanonicalJSON {
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        var data = try encoder.encode(value)
        data.append(0x0A)
        return data
    }

    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try JSONDecoder().decode(type, from: data)
    }
}
