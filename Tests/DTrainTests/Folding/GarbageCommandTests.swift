import Foundation
import Testing

@testable import DTrainCore

/// `dtrain gc`, `dtrain logs` and `dtrain output` as a person runs them, against a real
/// bare remote whose finished jobs were run through the worker's core calls.
@Suite("dtrain gc folds finished jobs", .serialized)
struct GarbageCommandTests {
    /// What `dtrain logs` and `dtrain output` give for `job` from a fresh clone made by
    /// `dtrain clone`: the log text and every output file's bytes.
    static func readBack(_ job: String, in shared: SharedSpool, as name: String) throws
        -> [String: Data]
    {
        let spool = shared.directory.file(name)
        let cloned = try Processes.dtrain(["clone", shared.remote, spool, "--as", name])
        try #require(cloned.status == 0, "\(cloned.stderr)")
        let logs = try Processes.dtrain(["logs", job, "--raw"], spool: spool)
        try #require(logs.status == 0, "\(logs.stderr)")
        let target = shared.directory.file("\(name)-out")
        let output = try Processes.dtrain(["output", job, "-o", target], spool: spool)
        try #require(output.status == 0, "\(output.stderr)")
        var files = ["log": Data(logs.stdout.utf8)]
        for name in try FileManager.default.contentsOfDirectory(atPath: target) {
            files[name] = try Data(contentsOf: URL(fileURLWithPath: target + "/" + name))
        }
        return files
    }

    static func json(_ result: ProcessResult) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        return try #require(object as? [String: Any], "not a JSON object: \(result.stdout)")
    }

    @Test("gc keeps a week-old grace, folds with --older-than 0, and logs/output still read")
    func foldsAndReadsBack() throws {
        let shared = try SharedSpool(label: "gc-cli")
        let (_, jobs) = try shared.finishJobs(2)
        let live = try shared.publishJobs(1, as: "bob")
        let before = try jobs.map { try Self.readBack($0, in: shared, as: "before-\($0)") }
        #expect(before.allSatisfy { $0["metrics.json"] != nil && $0["log"] != nil })

        // The default grace keeps jobs that just ended.
        let admin = shared.admin.path
        let kept = try Processes.dtrain(["gc", "--json"], spool: admin)
        #expect(kept.status == 0, "\(kept.stderr)")
        #expect((try Self.json(kept)["folded"] as? [Any])?.isEmpty == true)
        #expect(try shared.remoteRefNames("refs/dtrain/results").count == 2)

        let run = try Processes.dtrain(["gc", "--older-than", "0", "--json"], spool: admin)
        #expect(run.status == 0, "\(run.stderr)")
        let folded = try #require(try Self.json(run)["folded"] as? [[String: Any]])
        #expect(folded.compactMap { $0["job"] as? String } == jobs)
        let outcomes = folded.flatMap { ($0["refs"] as? [[String: Any]]) ?? [] }
            .compactMap { $0["outcome"] as? String }
        #expect(outcomes == Array(repeating: "deleted", count: 4))

        // git itself sees only the live job's payload, and one archive ref.
        #expect(try shared.remoteRefNames("refs/dtrain/results").isEmpty)
        #expect(
            try shared.remoteRefNames("refs/dtrain/payloads")
                == [SpoolLayout.payloadRef(job: live[0])])
        #expect(try shared.remoteRefNames("refs/dtrain/archive").count == 1)
        #expect(try shared.fsck().status == 0)

        // A fresh clone reads the same bytes, now from the archive.
        for (job, bytes) in zip(jobs, before) {
            #expect(try Self.readBack(job, in: shared, as: "after-\(job)") == bytes)
        }

        // The human report, and a bad duration.
        let again = try Processes.dtrain(["gc", "--older-than", "0"], spool: admin)
        #expect(again.stdout.contains("no finished job's payload or results refs to fold"))
        let bad = try Processes.dtrain(["gc", "--older-than", "soon"], spool: admin)
        #expect(bad.status == 2)
        #expect(bad.stderr.hasPrefix("dtrain: error: bad --older-than"))
    }

    @Test("two gc runs racing from two clones lose nothing")
    func racingRuns() throws {
        let shared = try SharedSpool(label: "gc-race")
        let (worker, jobs) = try shared.finishJobs(6)
        let clones = try ["gc-a", "gc-b"].map { name in
            _ = try shared.clone(name)
            return shared.directory.file(name)
        }

        // Both fold the same month at once, in small batches so their pushes interleave.
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: clones.count) { index in
            for _ in 0..<4 {
                let result = try? Processes.dtrain(
                    ["gc", "--older-than", "0", "--limit", "2"], spool: clones[index])
                if result?.status != 0 { failures.add("\(index): \(result?.stderr ?? "?")") }
            }
        }
        #expect(failures.list.isEmpty, "\(failures.list)")

        // Every ref is gone, and the archive holds every job's very trees.
        #expect(try shared.remoteRefNames("refs/dtrain/payloads").isEmpty)
        #expect(try shared.remoteRefNames("refs/dtrain/results").isEmpty)
        let month = try #require(try worker.snapshot().requireJob(jobs[0]).archiveMonth)
        let archive = SpoolLayout.archiveRef(month: month)
        let reader = try shared.clone("reader")
        try reader.fetchFromRemote(archive)
        for job in jobs {
            for (path, tree) in try FoldTests.trees(of: job, in: worker) {
                #expect(try reader.archivedTree(path, in: archive) == tree, "\(path)")
            }
            let record = try reader.snapshot().requireJob(job)
            #expect(
                try reader.readResult(of: record)?.log == (try worker.readResult(of: record)?.log))
        }
        #expect(try shared.fsck().status == 0)
        #expect(try shared.verifyRemote().violation == nil)
    }
}

private final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [String] = []

    func add(_ message: String) { lock.withLock { messages.append(message) } }
    var list: [String] { lock.withLock { messages } }
}
