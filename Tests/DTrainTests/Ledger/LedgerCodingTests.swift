import Foundation
import Testing

@testable import DTrainCore

/// Accounts as strings and entries as canonical JSON: what goes into git must
/// read back as the same value and write out as the same bytes.
@Suite("Ledger coding")
struct LedgerCodingTests {
    @Test(
        "accounts round-trip through their string form",
        arguments: [
            Account.user("alice"), .worker("gpu-01"), .escrow(job: "01JX9Z"), .platform, .world,
            .user("a:b"), .worker("देव"), .escrow(job: "job:with:colons"),
        ])
    func accountStrings(account: Account) throws {
        #expect(Account(account.description) == account)
        let json = try CanonicalJSON.encode([account])
        #expect(try CanonicalJSON.decode([Account].self, from: json) == [account])
    }

    @Test("the string forms are the documented ones")
    func accountSpelling() {
        #expect(Account.user("alice").description == "user:alice")
        #expect(Account.worker("gpu-01").description == "worker:gpu-01")
        #expect(Account.escrow(job: "j1").description == "escrow:j1")
        #expect(Account.platform.description == "platform")
        #expect(Account.world.description == "world")
    }

    @Test(
        "malformed account strings are refused",
        arguments: [
            "", "user", "user:", "platform:x", "world:", "bank:x", "User:alice", "user:a b",
            "user:tab\there", "escrow:", ":alice", "user:\u{200B}",
        ])
    func badAccounts(text: String) throws {
        #expect(Account(text) == nil)
        let json = Data("[\(String(reflecting: text))]".utf8)
        #expect(throws: DecodingError.self) { try CanonicalJSON.decode([Account].self, from: json) }
    }

    @Test("accounts sort by kind, then by name")
    func ordering() {
        let shuffled: [Account] = [
            .world, .escrow(job: "b"), .user("bob"), .platform, .worker("w"), .user("alice"),
            .escrow(job: "a"),
        ]
        #expect(
            shuffled.sorted() == [
                .user("alice"), .user("bob"), .worker("w"), .escrow(job: "a"), .escrow(job: "b"),
                .platform, .world,
            ])
    }

    @Test("an entry encodes to exactly the documented canonical JSON")
    func golden() throws {
        let split = SpoolConfig.standard.split
        let entry = LedgerEntry.settle(
            job: "j1", worker: "gpu-01", price: 1_001, split: split, by: "gpu-01",
            at: "2026-12-03T15:00:00Z")
        let expected = """
            {
              "at" : "2026-12-03T15:00:00Z",
              "by" : "gpu-01",
              "id" : "settle-j1",
              "job" : "j1",
              "kind" : "settle",
              "postings" : [
                {
                  "account" : "escrow:j1",
                  "amount" : -1001
                },
                {
                  "account" : "worker:gpu-01",
                  "amount" : 800
                },
                {
                  "account" : "platform",
                  "amount" : 201
                }
              ]
            }

            """
        #expect(String(decoding: try CanonicalJSON.encode(entry), as: UTF8.self) == expected)
    }

    @Test("every kind of entry round-trips byte for byte")
    func roundTrip() throws {
        let at = "2026-12-03T15:00:00Z"
        let entries: [LedgerEntry] = [
            .credit(
                user: "alice", amount: 5_000, by: "admin", memo: "UPI ref 77 \"x\"/ü", at: at,
                id: "c-1"),
            .reserve(job: "j1", user: "alice", price: 3_000, by: "alice", at: at),
            .settle(
                job: "j1", worker: "w", price: 2_999,
                split: .init(workerPercent: 80, platformPercent: 20), by: "w", at: at),
            .release(job: "j1", user: "alice", amount: 1, by: "w", at: at),
            .payout(worker: "w", amount: .max, by: "admin", at: at, id: "p-1"),
        ]
        for entry in entries {
            let bytes = try CanonicalJSON.encode(entry)
            let decoded = try CanonicalJSON.decode(LedgerEntry.self, from: bytes)
            #expect(decoded == entry)
            #expect(try CanonicalJSON.encode(decoded) == bytes)
        }
        let credit = String(decoding: try CanonicalJSON.encode(entries[0]), as: UTF8.self)
        #expect(!credit.contains("\"job\""), "absent fields are left out, not null")
    }

    @Test("builders give the deterministic ids; timestamps are ISO 8601 UTC")
    func builders() throws {
        let split = SpoolConfig.standard.split
        #expect(LedgerEntry.reserve(job: "j", user: "u", price: 1, by: "u").id == "reserve-j")
        #expect(
            LedgerEntry.settle(job: "j", worker: "w", price: 1, split: split, by: "w").id
                == "settle-j")
        #expect(LedgerEntry.release(job: "j", user: "u", amount: 1, by: "w").id == "release-j")
        let first = LedgerEntry.credit(user: "u", amount: 1, by: "admin")
        let second = LedgerEntry.credit(user: "u", amount: 1, by: "admin")
        #expect(first.id != second.id, "credits without an id get unique ones")
        #expect(first.id.hasPrefix("credit-"))

        let stamp = LedgerEntry.timestamp(Date(timeIntervalSince1970: 1_796_310_900))
        #expect(stamp == "2026-12-03T15:15:00Z")
        var state = LedgerState()
        #expect(try state.apply(first), "the default timestamp passes validation")
    }
}
