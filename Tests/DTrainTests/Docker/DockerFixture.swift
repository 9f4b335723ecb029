import DTrainCore
import Foundation
import Testing

/// What the Docker tests share: whether they can run, temporary job folders,
/// and a log sink the executor's reader threads can write to.
enum DockerFixture {
    static let image = "dtrain/python:bookworm"

    /// Why the real-Docker tests cannot run here, or nil when they can. Printed
    /// once, loudly, so a skipped suite is never mistaken for a passing one.
    static let skipReason: String? = {
        let executor = DockerExecutor()
        var reason: String?
        if executor.version() == nil {
            reason = "no Docker daemon answers (run `make docker`)"
        } else if !executor.imagePresent(image) {
            reason = "job image \(image) is missing (run `make image`)"
        }
        if let reason {
            let banner = "\n*** SKIPPING the real-Docker tests: \(reason) ***\n"
            FileHandle.standardError.write(Data(banner.utf8))
        }
        return reason
    }()

    static var ready: Bool { skipReason == nil }

    /// The repository's `examples/` folder, found from this file's path.
    static var examples: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // Docker
            .deletingLastPathComponent()  // DTrainTests
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()
            .appendingPathComponent("examples")
    }

    /// A fresh folder under the system's temporary directory; the caller
    /// removes it.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("dtrain-docker-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A job workspace holding the given files (name → contents).
    static func workspace(in root: URL, files: [String: String]) throws -> URL {
        let job = root.appendingPathComponent("job")
        try FileManager.default.createDirectory(at: job, withIntermediateDirectories: true)
        for (name, contents) in files {
            try Data(contents.utf8).write(to: job.appendingPathComponent(name))
        }
        return job
    }

    /// A job workspace that is a copy of one of the repository's examples.
    static func workspace(in root: URL, example: String) throws -> URL {
        let job = root.appendingPathComponent("job")
        try FileManager.default.copyItem(
            at: examples.appendingPathComponent(example), to: job)
        return job
    }

    /// A spec with short limits and a job ID no other test run shares.
    static func spec(
        workspace: URL, output: URL, main: String, timeout: Int = 120
    ) -> ContainerSpec {
        ContainerSpec(
            image: image, jobID: "test-\(UUID().uuidString.prefix(8).lowercased())",
            attempt: 1, workspace: workspace.path,
            outputDirectory: output.path, mainScript: main, cpus: 1,
            memoryBytes: 512 << 20, pidsLimit: 64, timeoutSeconds: timeout,
            graceSeconds: 2, scratchBytes: 256 << 20)
    }

    /// Runs `docker <arguments>` from outside the executor, to check its work.
    static func docker(_ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["docker"] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
