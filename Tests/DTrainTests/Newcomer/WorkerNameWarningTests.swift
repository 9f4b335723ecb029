import Foundation
import Testing

/// `worker register --name gpu-02` in a clone whose user is gpu-01 registered gpu-02, but
/// `worker run` there claims as gpu-01: a worker that never runs. Registration says so.
@Suite("newcomer: worker register --name")
struct WorkerNameWarningTests {
    @Test("a name other than the clone's user is registered with a warning naming both")
    func otherName() throws {
        let directory = try TemporaryDirectory("newcomer-worker-name")
        let spool = directory.file("spool")
        let created = try Processes.dtrain(["init", spool, "--as", "gpu-01"])
        try #require(created.status == 0, "\(created.stderr)")

        let registered = try Processes.dtrain(
            ["worker", "register", "--name", "gpu-02"], spool: spool)
        #expect(registered.status == 0, "\(registered.stderr)")
        #expect(registered.stderr.contains("dtrain: warning:"))
        #expect(registered.stderr.contains("claims as gpu-01"))
        #expect(registered.stderr.contains("dtrain config user gpu-02"))
    }

    @Test("the clone's own name registers without a warning")
    func ownName() throws {
        let directory = try TemporaryDirectory("newcomer-worker-name")
        let spool = directory.file("spool")
        let created = try Processes.dtrain(["init", spool, "--as", "gpu-01"])
        try #require(created.status == 0, "\(created.stderr)")

        let registered = try Processes.dtrain(["worker", "register"], spool: spool)
        #expect(registered.status == 0, "\(registered.stderr)")
        #expect(!registered.stderr.contains("warning"))
    }
}
