import Foundation
import Testing

@testable import DTrainCore

/// Money written into the spool without `dtrain credit`'s admin check, as any
/// client with push access to the remote could (a git commit, an old dtrain).
///
/// Found by hand: a ledger file crediting alice INR 999999, written by alice
/// herself and pushed with git, passed `dtrain verify` ("OK"), and every clone
/// showed her the money. The README says credits are for admins only, but the
/// verifier never checked who wrote a credit.
@Suite("breakage: forged ledger entries")
struct ForgedEntryBreakageTests {
    @Test(
        "verify names a credit written by a non-admin",
        arguments: [
            (LedgerEntry.credit(user: "alice", amount: 99_999_900, by: "alice"), "not an admin"),
            (LedgerEntry.credit(user: "alice", amount: 500, by: "admin"), nil),
        ] as [(LedgerEntry, String?)])
    func forged(entry: LedgerEntry, complaint: String?) throws {
        let shared = try SharedSpool(label: "brk-forged")
        let alice = try shared.clone("alice")
        try alice.write(actor: entry.by, message: "Credit alice") { _ in
            [try alice.record(entry, at: SpoolLayout.ledgerPath(entry: entry.id))]
        }
        try alice.sync()

        try shared.expectVerify(complaint: complaint)
    }

}
