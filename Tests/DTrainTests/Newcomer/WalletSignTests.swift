import Foundation
import Testing

/// `dtrain wallet` printed credits as "+INR 500.00" but debits as "INR -20.00": the
/// sign moved from one side of the currency to the other within one list.
@Suite("newcomer: wallet history signs")
struct WalletSignTests {
    @Test("credits and debits both carry their sign in front of the currency")
    func signsInFront() throws {
        let directory = try TemporaryDirectory("newcomer-wallet")
        let spool = directory.file("spool")
        let created = try Processes.dtrain(["init", spool, "--as", "admin"])
        try #require(created.status == 0, "\(created.stderr)")
        let credited = try Processes.dtrain(["credit", "alice", "500"], spool: spool)
        try #require(credited.status == 0, "\(credited.stderr)")

        let zip = try JobZips.sklearnZip(in: directory)
        let submitted = try Processes.dtrain(
            ["submit", zip, "--main", "train.py", "--json"], spool: spool, as: "alice")
        try #require(submitted.status == 0, "\(submitted.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(submitted.stdout.utf8))
        let id = try #require((object as? [String: Any])?["id"] as? String)
        let published = try Processes.dtrain(["publish", id], spool: spool, as: "alice")
        try #require(published.status == 0, "\(published.stderr)")

        let wallet = try Processes.dtrain(["wallet"], spool: spool, as: "alice")
        #expect(wallet.status == 0, "\(wallet.stderr)")
        #expect(wallet.stdout.contains("+INR 500.00  credit"), "\(wallet.stdout)")
        #expect(wallet.stdout.contains("-INR 20.00  reserve"), "\(wallet.stdout)")
        #expect(!wallet.stdout.contains("INR -"), "\(wallet.stdout)")
    }
}
