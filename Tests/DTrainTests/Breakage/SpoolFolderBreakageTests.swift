import Foundation
import Testing

/// Spool folders that cannot be made: `dtrain init notes.txt/spool`.
///
/// Found in the first session's review: libgit2's own message came through
/// after `dtrain: error:`, and for a file in the way it said "directory
/// exists", which sent people looking for a folder that was not there.
@Suite("breakage: spool folders that cannot be made")
struct SpoolFolderBreakageTests {
    @Test("a file in the way is named, and nothing is created")
    func fileInTheWay() throws {
        let directory = try TemporaryDirectory("brk-folder")
        let file = directory.file("notes.txt")
        try Data("notes\n".utf8).write(to: URL(fileURLWithPath: file))

        for command in [["init", file + "/spool"], ["clone", "/nonexistent", file + "/copy"]] {
            let result = try Processes.dtrain(command + ["--as", "admin"])
            #expect(result.status == 1, "\(command): \(result.stderr)")
            #expect(
                result.stderr.hasPrefix("dtrain: error: cannot create a spool at \(file)/"),
                "\(result.stderr)")
            #expect(result.stderr.contains("\(file) is not a folder"), "\(result.stderr)")
        }
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "notes\n")
    }

    @Test("a missing parent is made, as mkdir -p would")
    func missingParents() throws {
        let directory = try TemporaryDirectory("brk-folder")
        let spool = directory.file("a/b/spool")
        let result = try Processes.dtrain(["init", spool, "--as", "admin"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: spool + "/.git/HEAD"))
    }
}
