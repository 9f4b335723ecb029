import Foundation
import Testing

@testable import DTrainCore

/// Worker registrations written without `dtrain worker register`, as any client
/// with push access could.
///
/// Noticed in the first session's review: the verifier skipped `workers/`
/// entirely, and one unreadable record made `dtrain workers` fail for everyone.
@Suite("breakage: forged worker registrations")
struct ForgedWorkerBreakageTests {
    static let good = WorkerRecord(
        name: "gpu-01", registeredAt: "2026-12-03T10:00:00Z", os: "Debian 12",
        kernel: "6.1", cpuModel: "test", cpus: 4, memoryBytes: 8 << 30, gpus: [],
        docker: "24.0", images: [], minPrice: 0, labels: [:])

    static var negativeCPUs: WorkerRecord {
        var record = good
        record.cpus = -4
        return record
    }

    @Test(
        "verify names a registration that lies about its worker or its figures",
        arguments: [
            ("gpu-01", good, nil),
            ("gpu-02", good, "registers gpu-01, not gpu-02"),
            ("gpu-01", negativeCPUs, "impossible resources"),
        ] as [(String, WorkerRecord, String?)])
    func forged(folder: String, record: WorkerRecord, complaint: String?) throws {
        let shared = try SharedSpool(label: "brk-worker")
        let mallory = try shared.clone("mallory")
        let path = Spool.workerRecordPath(folder, at: "20261203-100000-abcd")
        try mallory.write(actor: "mallory", message: "Register worker \(folder)") { _ in
            [try mallory.record(record, at: path)]
        }
        try mallory.sync()

        try shared.expectVerify(complaint: complaint)
    }

    @Test("an unreadable registration hides no other worker from `dtrain workers`")
    func unreadable() throws {
        let shared = try SharedSpool(label: "brk-worker-junk")
        let mallory = try shared.clone("mallory")
        try mallory.write(actor: "mallory", message: "Register two workers") { _ in
            [
                try mallory.record(
                    Self.good, at: Spool.workerRecordPath("gpu-01", at: "20261203-100000-abcd")),
                try mallory.record(
                    ["not": "a worker"], at: Spool.workerRecordPath("junk", at: "20261203-1")),
            ]
        }

        let listed = try Processes.dtrain(["workers"], spool: shared.directory.file("mallory"))
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.stdout.contains("gpu-01"), "\(listed.stdout)")
        let verified = try Processes.dtrain(["verify"], spool: shared.directory.file("mallory"))
        #expect(verified.status == 6)
        #expect(verified.stdout.contains("workers/junk/"), "\(verified.stdout)")
    }
}
