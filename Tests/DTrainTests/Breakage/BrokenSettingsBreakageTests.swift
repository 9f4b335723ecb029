import Foundation
import Testing

/// A clone's own `settings.json` broken by hand or by a full disk.
///
/// Found by the third breaker: every command printed Swift's raw
/// `DecodingError.dataCorrupted(…)` dump, which names neither the file nor the
/// fix.
@Suite("breakage: a broken settings.json")
struct BrokenSettingsBreakageTests {
    @Test("names the file and the problem", arguments: ["{junk", #"{"user": 5}"#])
    func brokenSettings(content: String) throws {
        let directory = try TemporaryDirectory("brk-settings")
        let spool = directory.file("spool")
        let created = try Processes.dtrain(["init", spool, "--as", "admin"])
        try #require(created.status == 0, "\(created.stderr)")
        let settings = spool + "/.git/dtrain/settings.json"
        try Data(content.utf8).write(to: URL(fileURLWithPath: settings))

        let listed = try Processes.dtrain(["jobs"], spool: spool)

        #expect(listed.status == 4, "\(listed.stderr)")
        #expect(listed.stderr.contains(settings), "\(listed.stderr)")
        #expect(!listed.stderr.contains("DecodingError"), "\(listed.stderr)")
    }
}
