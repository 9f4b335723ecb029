import Foundation
import Testing

/// With `DTRAIN_SPOOL` set (as the README's global options suggest), `dtrain clone URL`
/// and `dtrain init` still wrote ./spool, and every later command then looked in
/// `$DTRAIN_SPOOL` and found nothing.
@Suite("newcomer: DTRAIN_SPOOL for init and clone")
struct SpoolEnvironmentTests {
    @Test("init and clone without DIR use $DTRAIN_SPOOL, where later commands look")
    func environmentNamesTheNewSpool() throws {
        let directory = try TemporaryDirectory("newcomer-env")
        let admin = directory.file("admin-spool")
        let remote = directory.file("remote.git")
        let dtrain = Processes.dtrainPath

        let created = try Processes.run(
            dtrain, ["init", "--remote", remote, "--as", "admin"], in: directory.path,
            environment: ["DTRAIN_SPOOL": admin])
        #expect(created.status == 0, "\(created.stderr)")
        #expect(FileManager.default.fileExists(atPath: admin + "/.git/dtrain"))
        #expect(!FileManager.default.fileExists(atPath: directory.file("spool")))

        let alice = directory.file("alice-spool")
        let cloned = try Processes.run(
            dtrain, ["clone", remote, "--as", "alice"], in: directory.path,
            environment: ["DTRAIN_SPOOL": alice])
        #expect(cloned.status == 0, "\(cloned.stderr)")
        let status = try Processes.run(
            dtrain, ["status"], in: directory.path, environment: ["DTRAIN_SPOOL": alice])
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.contains("alice"), "\(status.stdout)")
        #expect(!FileManager.default.fileExists(atPath: directory.file("spool")))
    }
}
