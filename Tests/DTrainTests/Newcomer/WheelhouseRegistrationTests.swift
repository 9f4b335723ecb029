import Foundation
import Testing

/// Found by following the README literally: `dtrain worker register --wheelhouse
/// /srv/wheels` on a machine without that folder was accepted, and then every job the
/// worker claimed was handed back by `docker create` ("bind source path does not exist"),
/// burning the job's retries. Registration must refuse a wheelhouse that is not a folder.
@Suite("newcomer: worker register --wheelhouse")
struct WheelhouseRegistrationTests {
    let directory: TemporaryDirectory
    let spool: String

    init() throws {
        directory = try TemporaryDirectory("newcomer-wheelhouse")
        spool = directory.file("spool")
        let created = try Processes.dtrain(["init", spool, "--as", "gpu-01"])
        try #require(created.status == 0, "\(created.stderr)")
    }

    func settingsText() throws -> String {
        try String(contentsOfFile: spool + "/.git/dtrain/settings.json", encoding: .utf8)
    }

    @Test("a wheelhouse that does not exist is refused and not saved")
    func missingFolder() throws {
        let missing = directory.file("no-such-wheels")
        let registered = try Processes.dtrain(
            ["worker", "register", "--wheelhouse", missing], spool: spool)
        #expect(registered.status == 2, "\(registered.stdout) \(registered.stderr)")
        #expect(registered.stderr.contains(missing))
        #expect(try !settingsText().contains("wheelhouse"))
    }

    @Test("a wheelhouse that is a file is refused")
    func fileInsteadOfFolder() throws {
        let file = directory.file("wheels.txt")
        try Data("not a folder".utf8).write(to: URL(fileURLWithPath: file))
        let registered = try Processes.dtrain(
            ["worker", "register", "--wheelhouse", file], spool: spool)
        #expect(registered.status == 2, "\(registered.stdout) \(registered.stderr)")
        #expect(try !settingsText().contains("wheelhouse"))
    }

    @Test("an existing folder is kept; 'none' turns the wheelhouse off again")
    func existingFolderThenNone() throws {
        let wheels = directory.file("wheels")
        try FileManager.default.createDirectory(atPath: wheels, withIntermediateDirectories: true)
        let registered = try Processes.dtrain(
            ["worker", "register", "--wheelhouse", wheels], spool: spool)
        #expect(registered.status == 0, "\(registered.stderr)")
        #expect(try settingsText().contains("wheels"))

        let cleared = try Processes.dtrain(
            ["worker", "register", "--wheelhouse", "none"], spool: spool)
        #expect(cleared.status == 0, "\(cleared.stderr)")
        #expect(try !settingsText().contains("wheelhouse"))
    }
}
