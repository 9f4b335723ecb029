import Foundation
import Testing

@testable import DTrainCore

/// A bare remote on disk and the admin's clone that published the spool to it.
struct SharedSpool {
    let directory: TemporaryDirectory
    let remote: String
    let admin: Spool

    init(lease: Int = 300, label: String = "shared", maxOutputBytes: Int64? = nil) throws {
        directory = try TemporaryDirectory(label)
        remote = directory.file("remote.git")
        let made = try Processes.git(["init", "--bare", "-q", "-b", "main", remote])
        try #require(made.status == 0, "\(made.stderr)")
        var config = SpoolConfig.standard
        config.leaseSeconds = lease
        config.admins = ["admin"]
        if let maxOutputBytes { config.limits.maxOutputBytes = maxOutputBytes }
        admin = try Spool.create(at: directory.file("admin"), config: config, actor: "admin")
        try admin.updateSettings { $0.user = "admin" }
        try admin.publish(to: remote)
    }

    /// Another machine's clone of the spool.
    func clone(_ name: String) throws -> Spool {
        try Spool.clone(url: remote, into: directory.file(name), user: name)
    }

    /// Credits `user`, then submits and publishes `count` small jobs as `user`.
    func publishJobs(_ count: Int, as user: String, funds: Int64 = 1_000_000) throws -> [String] {
        try admin.credit(user: user, amount: funds, memo: "test funds", actor: "admin")
        try admin.sync()
        let submitter = try clone("submitter-\(user)")
        let zip = try JobZips.sklearnZip(in: directory, name: "\(user).zip")
        var ids: [String] = []
        for _ in 0..<count {
            let job = try submitter.submit(
                zipAt: zip, options: SubmitOptions(mainScript: "train.py"), actor: user)
            try submitter.publish(job: job.id, actor: user)
            ids.append(job.id)
        }
        try submitter.sync()
        return ids
    }

    /// The remote's main, verified from scratch.
    func verifyRemote() throws -> SpoolVerifier.Report {
        let checker = try clone("checker-\(UUID().uuidString.prefix(6))")
        var verifier = SpoolVerifier(repository: checker.repository)
        return try verifier.run(tip: checker.snapshot().commit)
    }

    func fsck() throws -> ProcessResult {
        try Processes.git(["--git-dir", remote, "fsck", "--strict"])
    }
}

extension SharedSpool {
    /// Runs `dtrain verify` on a fresh clone of the remote and expects it to pass, or to
    /// fail (exit 6) with `complaint` in its report.
    func expectVerify(complaint: String?, sourceLocation: SourceLocation = #_sourceLocation)
        throws
    {
        let checker = directory.file("checker-\(UUID().uuidString.prefix(6))")
        _ = try Spool.clone(url: remote, into: checker, user: "checker")
        let verified = try Processes.dtrain(["verify"], spool: checker)
        guard let complaint else {
            #expect(
                verified.status == 0, "\(verified.stdout)\(verified.stderr)",
                sourceLocation: sourceLocation)
            return
        }
        #expect(
            verified.status == 6, "\(verified.stdout)\(verified.stderr)",
            sourceLocation: sourceLocation)
        #expect(
            verified.stdout.contains(complaint), "\(verified.stdout)",
            sourceLocation: sourceLocation)
    }
}
