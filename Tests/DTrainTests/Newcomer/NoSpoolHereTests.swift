import Foundation
import Testing

/// Run in a folder that is no spool, every command said "spool is not a dtrain spool
/// (create one with 'dtrain init spool')": a newcomer had named no "spool" at all.
@Suite("newcomer: a command run outside any spool")
struct NoSpoolHereTests {
    @Test("says where it looked and how to name or make a spool; exit 3")
    func outsideAnySpool() throws {
        let directory = try TemporaryDirectory("newcomer-no-spool")
        let result = try Processes.dtrain(["status"], in: directory.path)
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("no spool here"), "\(result.stderr)")
        #expect(result.stderr.contains("--spool DIR"))
        #expect(result.stderr.contains("dtrain clone URL"))
    }

    @Test("a named folder that is not a spool still names that folder")
    func namedFolder() throws {
        let directory = try TemporaryDirectory("newcomer-no-spool")
        let result = try Processes.dtrain(["status"], spool: directory.path)
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains(directory.path), "\(result.stderr)")
    }
}
