import DTrainCore
import Foundation
import Testing

/// A Docker daemon that is up but hung: the client connects and waits for ever.
///
/// Before the time limit, a worker asking it anything (`inspect`, `stop`, `ps`)
/// waited with it, holding its lock, so a cron node stopped working until
/// someone noticed. A fake client that never answers stands in for the hung
/// daemon; no real Docker is needed.
@Suite("a docker client that never answers")
struct DockerHangTests {
    @Test("a short command is killed at its time limit and reported as a worker fault")
    func hungClient() throws {
        let directory = try TemporaryDirectory("docker-hang")
        let client = directory.file("docker")
        try Data("#!/bin/sh\nexec sleep 600\n".utf8).write(to: URL(fileURLWithPath: client))
        try FileManager.default.setAttributes(
            [.posixPermissions: 0o755], ofItemAtPath: client)
        let executor = DockerExecutor(dockerPath: client, commandTimeLimit: 1)

        let started = Date()
        #expect {
            try executor.containers(forJob: "j")
        } throws: { error in
            "\(error)".contains("did not finish within 1 s")
        }
        #expect(Date().timeIntervalSince(started) < 30)
        #expect(executor.version() == nil)
    }
}
