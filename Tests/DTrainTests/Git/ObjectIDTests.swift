import Foundation
import Testing

@testable import GitKit

@Suite("GitKit object ids")
struct ObjectIDTests {
    let sample = "0123456789abcdef0123456789abcdef01234567"

    @Test("hex round-trips, upper case is normalised, bad input is refused")
    func hexRoundTrip() throws {
        let id = try #require(ObjectID(hex: sample))
        #expect(id.hex == sample)
        #expect(id.description == sample)
        #expect(ObjectID(hex: sample.uppercased()) == id)
        #expect(ObjectID(hex: String(sample.dropLast())) == nil)
        #expect(ObjectID(hex: sample + "0") == nil)
        #expect(ObjectID(hex: String(sample.dropLast()) + "g") == nil)
        #expect(ObjectID(hex: String(repeating: "0", count: 40)) == .zero)
    }

    @Test("ordering matches the order of the hex strings")
    func ordering() throws {
        let texts = [
            "ffffffffffffffffffffffffffffffffffffffff",
            "0000000000000000000000000000000000000001",
            "0000000000000000100000000000000000000000",
            "00000000000000000000000000000000f0000000",
            sample,
        ]
        let ids = texts.compactMap { ObjectID(hex: $0) }
        #expect(ids.count == texts.count)
        #expect(ids.sorted().map(\.hex) == texts.sorted())
    }

    @Test("encodes as a bare JSON string and refuses garbage on decode")
    func codable() throws {
        let id = try #require(ObjectID(hex: sample))
        let data = try JSONEncoder().encode([id])
        #expect(String(decoding: data, as: UTF8.self) == "[\"\(sample)\"]")
        #expect(try JSONDecoder().decode([ObjectID].self, from: data) == [id])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([ObjectID].self, from: Data("[\"abc\"]".utf8))
        }
    }
}
