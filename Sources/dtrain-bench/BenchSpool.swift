import ArchiveKit
import DTrainCore
import Foundation
import GitKit

/// A temporary folder for one run; its owner removes it, and `deinit` is the
/// safety net.
// FIXME: nothing catches SIGINT or SIGTERM, so a run interrupted during the
// scale section leaves its folder (gigabytes at 100,000 jobs: loose objects) in
// $TMPDIR as dtrain-bench-*; delete those by hand.
final class ScratchDirectory {
    let path: String

    init(label: String) throws {
        let base = FileManager.default.temporaryDirectory.path
        path = base + "/dtrain-bench-\(label)-" + UUID().uuidString.prefix(8).lowercased()
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    deinit { remove() }
}

/// A bare remote on disk and the admin's clone that published a fresh spool to
/// it, the way `dtrain init --remote` sets up a lab: every section starts from
/// one of these.
struct BenchSpool {
    /// The user who submits every benchmark job.
    static let owner = "bench"

    let directory: String
    let remote: String
    let admin: Spool

    init(in directory: String) throws {
        self.directory = directory
        remote = directory + "/remote.git"
        _ = try Repository.create(at: remote, bare: true)
        admin = try Spool.create(
            at: directory + "/admin", config: .standard, actor: "admin")
        try admin.updateSettings { $0.user = "admin" }
        try admin.publish(to: remote)
    }

    /// Another machine's clone, made the ordinary way (a fetch of main).
    func clone(_ name: String) throws -> Spool {
        try Spool.clone(url: remote, into: directory + "/" + name, user: name)
    }

    /// Credits the owner, then submits and publishes `count` jobs from a
    /// submitter's clone and delivers them to the remote.
    func publishJobs(_ count: Int, zip: String) throws -> [String] {
        try admin.credit(
            user: Self.owner, amount: Int64(count) * 100_000 + 1_000_000, memo: "bench funds",
            actor: "admin")
        try admin.sync()
        let submitter = try clone("submitter")
        var ids: [String] = []
        for _ in 0..<count {
            let job = try submitter.submit(
                zipAt: zip, options: SubmitOptions(mainScript: "train.py"), actor: Self.owner)
            try submitter.publish(job: job.id, actor: Self.owner)
            ids.append(job.id)
        }
        try submitter.sync()
        return ids
    }

    /// Submits the job at `zip` as the owner; returns its id.
    static func submitOne(_ spool: Spool, zip: String) throws -> String {
        try spool.submit(
            zipAt: zip, options: SubmitOptions(mainScript: "train.py"), actor: owner
        ).id
    }

    /// One real job submitted on a throwaway spool: the record every synthetic
    /// job copies.
    static func templateJob(in path: String, zip: String) throws -> JobRecord {
        let spool = try Spool.create(at: path, config: .standard, actor: "admin")
        let id = try submitOne(spool, zip: zip)
        return try spool.snapshot().requireJob(id)
    }

    /// A small scikit-learn job, written with dtrain's own ZIP writer.
    static func writeJobZip(to path: String) throws {
        let files = [
            "train.py": "import numpy as np\nfrom sklearn.linear_model import LogisticRegression\n"
                + "print('training')\n",
            "requirements.txt": "scikit-learn>=1.0\nnumpy\n",
        ]
        let writer = try ZipWriter(path: path)
        for (name, text) in files.sorted(by: { $0.key < $1.key }) {
            try writer.addFile(name, contents: Data(text.utf8))
        }
        try writer.close()
    }

    /// The release `dtrain` built beside this benchmark (the same build
    /// folder).
    static func dtrainExecutable() -> String? {
        let me =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        let candidate = URL(fileURLWithPath: me).deletingLastPathComponent()
            .appendingPathComponent("dtrain").path
        return FileManager.default.isExecutableFile(atPath: candidate) ? candidate : nil
    }
}
