import Foundation
import Testing

@testable import GitKit

/// A bare "remote" plus clones, all in one temporary directory.
struct LocalRemoteFixture {
    let root: String
    var remotePath: String { root + "/remote.git" }

    init() throws {
        root = try makeTemporaryDirectory("gitkit-remote")
        _ = try Repository.create(at: remotePath, bare: true)
    }

    func clone(_ name: String) throws -> Repository {
        try Repository.create(at: root + "/" + name, bare: true)
    }

    func remote() throws -> Repository { try Repository.open(at: remotePath) }
}

@Suite("GitKit remotes on this machine")
struct RemoteLocalTests {
    let none = Credentials.default

    @Test("fetch copies refs by refspec, file:// works, prune drops vanished refs")
    func fetchAndPrune() throws {
        let fixture = try LocalRemoteFixture()
        defer { removeDirectory(fixture.root) }
        let remote = try fixture.remote()
        let first = try remote.commitFiles(["spool.json": "{}"], parent: nil, message: "init\n")
        let second = try remote.commitFiles(["jobs/a/job.json": "a"], parent: first, message: "a\n")
        try remote.setReference("refs/heads/main", to: second, expected: nil, message: "t")
        try remote.setReference("refs/claims/a", to: first, expected: nil, message: "t")

        // Plain path.
        let clone = try fixture.clone("clone.git")
        let specs = ["+refs/heads/*:refs/remotes/origin/*", "+refs/claims/*:refs/origin-claims/*"]
        try clone.fetch(url: fixture.remotePath, refspecs: specs, credentials: none)
        #expect(try clone.reference("refs/remotes/origin/main") == second)
        #expect(try clone.reference("refs/origin-claims/a") == first)
        #expect(try clone.commit(second).parents == [first])
        #expect(
            try clone.blob(
                try #require(
                    try clone.entry(
                        in: clone.commit(second).tree,
                        path: "jobs/a/job.json")
                ).id) == Data("a".utf8))

        // file:// URL, and pruning a claim deleted on the remote.
        try remote.deleteReference("refs/claims/a", expected: first)
        try clone.fetch(
            url: "file://" + fixture.remotePath, refspecs: specs, credentials: none, prune: true)
        #expect(try clone.reference("refs/origin-claims/a") == nil)
        #expect(try clone.reference("refs/remotes/origin/main") == second)
        try expectFsckClean(clone.gitDirectory)

        // A remote that does not exist is an error, not an empty fetch, and
        // a failed clone leaves no half-made repository behind.
        #expect(throws: GitError.self) {
            try clone.fetch(url: fixture.root + "/absent.git", refspecs: specs, credentials: none)
        }
        #expect(throws: GitError.self) {
            try Repository.clone(
                url: fixture.root + "/absent.git", to: fixture.root + "/failed.git",
                refspecs: specs, credentials: none)
        }
        #expect(!FileManager.default.fileExists(atPath: fixture.root + "/failed.git"))
        let cloned = try Repository.clone(
            url: fixture.remotePath, to: fixture.root + "/cloned.git", refspecs: specs,
            credentials: none)
        #expect(try cloned.reference("refs/remotes/origin/main") == second)
    }

    @Test("remoteReferences lists the remote's refs in one call")
    func listRemote() throws {
        let fixture = try LocalRemoteFixture()
        defer { removeDirectory(fixture.root) }
        let remote = try fixture.remote()
        let commit = try remote.commitFiles(["f": "1"], parent: nil, message: "1\n")
        try remote.setReference("refs/heads/main", to: commit, expected: nil, message: "t")
        try remote.setReference("refs/claims/z", to: commit, expected: nil, message: "t")
        let clone = try fixture.clone("clone.git")
        let listed = try clone.remoteReferences(url: fixture.remotePath, credentials: none)
        let names = listed.map(\.name)
        #expect(names.contains("refs/heads/main"))
        #expect(names.contains("refs/claims/z"))
        #expect(listed.first { $0.name == "refs/claims/z" }?.id == commit)
        #expect(names == names.sorted())
    }

    @Test("interleaved pushers: the stale one is rejected and nothing is lost")
    func interleavedPushes() throws {
        let fixture = try LocalRemoteFixture()
        defer { removeDirectory(fixture.root) }
        let seed = try fixture.clone("seed.git")
        let base = try seed.commitFiles(["spool.json": "{}"], parent: nil, message: "init\n")
        let created = try seed.push(
            url: fixture.remotePath, localRef: base, remoteRef: "refs/heads/main",
            expected: nil, credentials: none)
        #expect(created.isAccepted)

        // Both clones start from the same tip and commit on top of it.
        let specs = ["+refs/heads/*:refs/remotes/origin/*"]
        let alice = try fixture.clone("alice.git")
        let bob = try fixture.clone("bob.git")
        try alice.fetch(url: fixture.remotePath, refspecs: specs, credentials: none)
        try bob.fetch(url: "file://" + fixture.remotePath, refspecs: specs, credentials: none)
        let aliceCommit = try alice.commitFiles(["jobs/a": "a"], parent: base, message: "a\n")
        let bobCommit = try bob.commitFiles(["jobs/b": "b"], parent: base, message: "b\n")

        // Alice wins; Bob, still believing in `base`, loses instead of erasing
        // her.
        let aliceResult = try alice.push(
            url: fixture.remotePath, localRef: aliceCommit, remoteRef: "refs/heads/main",
            expected: base, credentials: none)
        #expect(aliceResult == RefUpdateResult(ref: "refs/heads/main", rejected: nil))
        let bobResult = try bob.push(
            url: "file://" + fixture.remotePath, localRef: bobCommit,
            remoteRef: "refs/heads/main", expected: base, credentials: none)
        #expect(bobResult.rejected != nil)
        #expect(try fixture.remote().reference("refs/heads/main") == aliceCommit)

        // Bob re-reads, rebuilds on Alice's tip and wins the retry.
        try bob.fetch(url: fixture.remotePath, refspecs: specs, credentials: none)
        let tip = try #require(try bob.reference("refs/remotes/origin/main"))
        let retried = try bob.commitFiles(["jobs/b": "b"], parent: tip, message: "b again\n")
        let retry = try bob.push(
            url: fixture.remotePath, localRef: retried, remoteRef: "refs/heads/main",
            expected: tip, credentials: none)
        #expect(retry.isAccepted)
        let remote = try fixture.remote()
        let history = try remote.commits(from: retried, excluding: nil)
        #expect(history == [base, aliceCommit, retried])
        let log = try git(["log", "--format=%s", "main"], in: fixture.remotePath)
        #expect(log == "b again\na\ninit\n")
        try expectFsckClean(fixture.remotePath)
    }

    @Test("concurrent pushers retrying on rejection: every commit reaches main")
    func concurrentPushers() async throws {
        let fixture = try LocalRemoteFixture()
        defer { removeDirectory(fixture.root) }
        let seed = try fixture.clone("seed.git")
        let base = try seed.commitFiles(["spool.json": "{}"], parent: nil, message: "init\n")
        let seeded = try seed.push(
            url: fixture.remotePath, localRef: base, remoteRef: "refs/heads/main",
            expected: nil, credentials: .default)
        #expect(seeded.isAccepted)
        let remotePath = fixture.remotePath
        let root = fixture.root

        // Four workers, three commits each, each with its own clone and handle.
        let rejections = try await withThrowingTaskGroup(of: Int.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    let clone = try Repository.create(at: "\(root)/w\(worker).git", bare: true)
                    return try pushWithRetries(clone, remote: remotePath, worker: worker, count: 3)
                }
            }
            return try await group.reduce(0, +)
        }

        // All twelve commits are in main's history; the log is linear.
        let remote = try fixture.remote()
        let tip = try #require(try remote.reference("refs/heads/main"))
        let messages = try remote.commits(from: tip, excluding: nil).map {
            try remote.commit($0).message
        }
        var expected = Set(["init\n"])
        for worker in 0..<4 {
            for index in 0..<3 { expected.insert("w\(worker)-\(index)\n") }
        }
        #expect(Set(messages) == expected)
        #expect(messages.count == 13)
        try expectFsckClean(remotePath)
        print("concurrent pushers: \(rejections) rejected pushes retried")
    }

    @Test("create-only ref race across clones: exactly one claim wins")
    func createOnlyRace() async throws {
        let fixture = try LocalRemoteFixture()
        defer { removeDirectory(fixture.root) }
        let remotePath = fixture.remotePath
        let root = fixture.root
        let results = try await withThrowingTaskGroup(of: (ObjectID, RefUpdateResult).self) {
            group in
            for worker in 0..<6 {
                group.addTask {
                    let clone = try Repository.create(at: "\(root)/c\(worker).git", bare: true)
                    let claim = try clone.commitFiles(
                        ["claim.json": "worker \(worker)"], parent: nil, message: "claim\n")
                    let result = try clone.push(
                        url: remotePath, localRef: claim, remoteRef: "refs/claims/job-1",
                        expected: nil, credentials: .default)
                    return (claim, result)
                }
            }
            return try await group.reduce(into: [(ObjectID, RefUpdateResult)]()) {
                $0.append($1)
            }
        }
        let winners = results.filter { $0.1.isAccepted }
        #expect(winners.count == 1)
        #expect(results.filter { $0.1.rejected != nil }.count == 5)
        let remote = try fixture.remote()
        #expect(try remote.reference("refs/claims/job-1") == winners.first?.0)
        try expectFsckClean(remotePath)
    }

    @Test("a large first push arrives as one pack; a small one as loose objects")
    func packedTransfer() throws {
        let fixture = try LocalRemoteFixture()
        defer { removeDirectory(fixture.root) }
        let clone = try fixture.clone("clone.git")
        var files: [String: String] = [:]
        for index in 0..<150 { files["jobs/\(index)/job.json"] = "{\"job\":\(index)}" }
        let big = try clone.commitFiles(files, parent: nil, message: "150 jobs\n")
        let first = try clone.push(
            url: fixture.remotePath, localRef: big, remoteRef: "refs/heads/main",
            expected: nil, credentials: none)
        #expect(first.isAccepted)
        let packDirectory = fixture.remotePath + "/objects/pack"
        let packs = try FileManager.default.contentsOfDirectory(atPath: packDirectory)
        #expect(packs.filter { $0.hasSuffix(".pack") }.count == 1)
        #expect(packs.filter { $0.hasSuffix(".idx") }.count == 1)
        let count = try git(["count-objects", "-v"], in: fixture.remotePath)
        #expect(count.contains("count: 0\n"), "\(count)")
        // 150 blobs, 150 job trees, jobs/, the root tree and the commit.
        #expect(count.contains("in-pack: 303\n"), "\(count)")

        // One more job: a handful of loose objects, no second pack.
        let small = try clone.commitFiles(["jobs/7/state": "done"], parent: big, message: "s\n")
        let second = try clone.push(
            url: fixture.remotePath, localRef: small, remoteRef: "refs/heads/main",
            expected: big, credentials: none)
        #expect(second.isAccepted)
        let after = try FileManager.default.contentsOfDirectory(atPath: packDirectory)
        #expect(after.filter { $0.hasSuffix(".pack") }.count == 1)
        #expect(try git(["count-objects", "-v"], in: fixture.remotePath).contains("count: 5\n"))
        #expect(try fixture.remote().commits(from: small, excluding: nil) == [big, small])

        // 150 more jobs on the shared history are over 100 objects: one more
        // pack.
        var more: [String: String] = [:]
        for index in 150..<300 { more["jobs/\(index)/job.json"] = "{\"job\":\(index)}" }
        let bulk = try clone.commitFiles(more, parent: small, message: "150 more\n")
        let third = try clone.push(
            url: fixture.remotePath, localRef: bulk, remoteRef: "refs/heads/main",
            expected: small, credentials: none)
        #expect(third.isAccepted)
        let finalPacks = try FileManager.default.contentsOfDirectory(atPath: packDirectory)
        #expect(finalPacks.filter { $0.hasSuffix(".pack") }.count == 2)
        #expect(try fixture.remote().commits(from: bulk, excluding: big) == [small, bulk])
        try expectFsckClean(fixture.remotePath)
    }

    @Test("a commit grafting trees the remote holds sends none of their bytes")
    func graftedTrees() throws {
        let fixture = try LocalRemoteFixture()
        defer { removeDirectory(fixture.root) }
        let clone = try fixture.clone("clone.git")

        // Many refs, each holding 256 KiB nobody else has, as payload refs do.
        var grafts: [TreeChange] = []
        var random = SystemRandomNumberGenerator()
        for index in 0..<30 {
            let words = (0..<(32 << 10)).map { _ in random.next() as UInt64 }
            let blob = try clone.createBlob(words.withUnsafeBytes { Data($0) })
            let tree = try clone.updateTree(nil, [.upsert(path: "job.zip", blob: blob)])
            let commit = try clone.createCommit(
                tree: tree, parents: [], message: "payload \(index)\n", author: testAuthor)
            #expect(
                try clone.push(
                    url: fixture.remotePath, localRef: commit, remoteRef: "refs/p/\(index)",
                    expected: nil, credentials: none
                ).isAccepted)
            grafts.append(.upsertTree(path: "\(index)/payload", tree: tree))
            grafts.append(.upsertTree(path: "\(index)/results/1", tree: tree))
        }
        let before = try directoryBytes(fixture.remotePath + "/objects")

        // One parentless commit grafting all of them: no shared history, so a pack.
        let archive = try clone.createCommit(
            tree: clone.updateTree(nil, grafts), parents: [], message: "archive\n",
            author: testAuthor)
        #expect(
            try clone.push(
                url: fixture.remotePath, localRef: archive, remoteRef: "refs/archive",
                expected: nil, credentials: none
            ).isAccepted)
        let added = try directoryBytes(fixture.remotePath + "/objects") - before
        #expect(added < 32 << 10, "\(added) bytes arrived for a few small trees")
        try expectFsckClean(fixture.remotePath)
    }

    @Test("deleting a remote ref is a compare-and-swap too")
    func deleteRemoteRef() throws {
        let fixture = try LocalRemoteFixture()
        defer { removeDirectory(fixture.root) }
        let clone = try fixture.clone("clone.git")
        let one = try clone.commitFiles(["f": "1"], parent: nil, message: "1\n")
        let two = try clone.commitFiles(["f": "2"], parent: one, message: "2\n")
        let ref = "refs/claims/job-9"
        #expect(
            try clone.push(
                url: fixture.remotePath, localRef: two, remoteRef: ref, expected: nil,
                credentials: none
            ).isAccepted)
        let stale = try clone.push(
            url: fixture.remotePath, localRef: nil, remoteRef: ref, expected: one,
            credentials: none)
        #expect(stale.rejected != nil)
        #expect(try fixture.remote().reference(ref) == two)
        let done = try clone.push(
            url: fixture.remotePath, localRef: nil, remoteRef: ref, expected: two,
            credentials: none)
        #expect(done.isAccepted)
        #expect(try fixture.remote().reference(ref) == nil)

        // A nested ref's emptied directory goes with it; the first three levels stay.
        let manager = FileManager.default
        for nested in ["refs/dtrain/results/job-9/1", "refs/dtrain/results/job-8/1"] {
            _ = try clone.push(
                url: fixture.remotePath, localRef: one, remoteRef: nested, expected: nil,
                credentials: none)
        }
        _ = try clone.push(
            url: fixture.remotePath, localRef: nil, remoteRef: "refs/dtrain/results/job-9/1",
            expected: one, credentials: none)
        let results = fixture.remotePath + "/refs/dtrain/results"
        #expect(try manager.contentsOfDirectory(atPath: results) == ["job-8"])
        _ = try clone.push(
            url: fixture.remotePath, localRef: nil, remoteRef: "refs/dtrain/results/job-8/1",
            expected: one, credentials: none)
        #expect(try manager.contentsOfDirectory(atPath: results).isEmpty)
        #expect(try fixture.remote().reference("refs/dtrain/results/job-8/1") == nil)
        try expectFsckClean(fixture.remotePath)
    }
}

/// Fetch, commit on the remote tip, push with that tip expected; on rejection
/// start over. Returns how many pushes were rejected.
private func pushWithRetries(
    _ clone: Repository, remote: String, worker: Int, count: Int
) throws -> Int {
    var rejected = 0
    for index in 0..<count {
        var attempts = 0
        while true {
            attempts += 1
            guard attempts < 200 else { throw CLIError(message: "worker \(worker) starved") }
            try clone.fetch(
                url: remote, refspecs: ["+refs/heads/main:refs/remotes/origin/main"],
                credentials: .default)
            let tip = try clone.reference("refs/remotes/origin/main")
            let commit = try clone.commitFiles(
                ["w\(worker)/\(index)": "\(worker)-\(index)"], parent: tip,
                message: "w\(worker)-\(index)\n")
            let result = try clone.push(
                url: remote, localRef: commit, remoteRef: "refs/heads/main", expected: tip,
                credentials: .default)
            if result.isAccepted { break }
            rejected += 1
            usleep(UInt32.random(in: 1_000...20_000))
        }
    }
    return rejected
}

/// The bytes of every file below `path`.
private func directoryBytes(_ path: String) throws -> Int {
    let manager = FileManager.default
    var total = 0
    for name in manager.subpaths(atPath: path) ?? [] {
        let attributes = try manager.attributesOfItem(atPath: path + "/" + name)
        if attributes[.type] as? FileAttributeType == .typeRegular {
            total += (attributes[.size] as? Int) ?? 0
        }
    }
    return total
}
