import Foundation
import Testing

@testable import GitKit

@Suite("GitKit blobs and trees")
struct RepositoryObjectTests {
    @Test("create refuses an existing repository; open finds it from inside")
    func createAndOpen() throws {
        let directory = try makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        let bare = try Repository.create(at: directory + "/spool.git", bare: true)
        #expect(bare.gitDirectory == directory + "/spool.git")
        let error = #expect(throws: GitError.self) {
            try Repository.create(at: directory + "/spool.git", bare: true)
        }
        #expect(error?.isExists == true)

        _ = try Repository.create(at: directory + "/work", bare: false)
        try FileManager.default.createDirectory(
            atPath: directory + "/work/sub/dir", withIntermediateDirectories: true)
        let opened = try Repository.open(at: directory + "/work/sub/dir")
        #expect(opened.gitDirectory == directory + "/work/.git")
        let head = try git(["symbolic-ref", "HEAD"], in: directory + "/spool.git")
        #expect(head == "refs/heads/main\n")
        #expect(throws: GitError.self) { try Repository.open(at: directory + "/nothing") }
    }

    @Test("blobs round-trip, from memory and streamed from a file, as git sees them")
    func blobs() throws {
        let directory = try makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        let repository = try Repository.create(at: directory + "/r.git", bare: true)

        // Small, empty and binary blobs.
        let text = Data("{\"job\":\"abc\"}\n".utf8)
        let textID = try repository.createBlob(text)
        #expect(try repository.blob(textID) == text)
        #expect(try repository.blob(try repository.createBlob(Data())) == Data())
        let binary = Data((0..<1024).map { UInt8(truncatingIfNeeded: $0 * 7) })
        #expect(try repository.blob(try repository.createBlob(binary)) == binary)
        let shown = try git(["cat-file", "-p", textID.hex], in: repository.gitDirectory)
        #expect(shown == "{\"job\":\"abc\"}\n")

        // A 3 MiB file spans several stream chunks; its id must match git
        // hash-object.
        let big = Data((0..<(3 << 20 + 17)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 5) })
        let file = directory + "/upload.zip"
        try big.write(to: URL(fileURLWithPath: file))
        let streamed = try repository.createBlob(fromFile: file)
        let expected = try git(["hash-object", file], in: directory)
        #expect(streamed.hex + "\n" == expected)
        #expect(try repository.blob(streamed) == big)
        #expect(repository.hasObject(streamed))
        #expect(!repository.hasObject(ObjectID.zero))

        // A missing file is a GitError naming the path, not a crash.
        let error = #expect(throws: GitError.self) {
            try repository.createBlob(fromFile: directory + "/absent")
        }
        #expect(error?.message.contains("absent") == true)
        try expectFsckClean(repository.gitDirectory)
    }

    @Test("updateTree upserts and removes nested paths, keeping untouched subtrees")
    func updateTree() throws {
        let directory = try makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        let repository = try Repository.create(at: directory + "/r.git", bare: true)
        let one = try repository.createBlob(Data("one".utf8))
        let two = try repository.createBlob(Data("two".utf8))

        // Build from nothing: intermediate trees appear.
        let first = try repository.updateTree(
            nil,
            [
                .upsert(path: "spool.json", blob: one),
                .upsert(path: "jobs/a/job.json", blob: one),
                .upsert(path: "jobs/b/job.json", blob: two),
                .upsert(path: "jobs/b/state/queued.json", blob: one),
            ])
        let listing = try git(
            ["ls-tree", "-r", "--name-only", first.hex], in: directory + "/r.git")
        #expect(
            listing.split(separator: "\n")
                == ["jobs/a/job.json", "jobs/b/job.json", "jobs/b/state/queued.json", "spool.json"])
        let subtreeA = try #require(try repository.entry(in: first, path: "jobs/a"))
        #expect(subtreeA.isTree)

        // Change b only: a's subtree keeps its id; replacing a blob works.
        let second = try repository.updateTree(
            first,
            [
                .upsert(path: "jobs/b/job.json", blob: one),
                .remove(path: "jobs/b/state/queued.json"),
                .upsert(path: "jobs/b/state/running.json", blob: two),
            ])
        #expect(try repository.entry(in: second, path: "jobs/a")?.id == subtreeA.id)
        #expect(try repository.entry(in: second, path: "jobs/b")?.id != nil)
        #expect(try repository.entry(in: second, path: "jobs/b/job.json")?.id == one)
        #expect(try repository.entry(in: second, path: "jobs/b/state/queued.json") == nil)
        #expect(try repository.entry(in: second, path: "spool.json")?.id == one)

        // Removing the last file of a directory removes the now-empty parents
        // too.
        let third = try repository.updateTree(
            second,
            [.remove(path: "jobs/b/state/running.json"), .remove(path: "jobs/b/job.json")])
        #expect(try repository.entry(in: third, path: "jobs/b") == nil)
        #expect(try repository.entries(in: third, directory: "jobs").map(\.name) == ["a"])
        #expect(try repository.entry(in: third, path: "jobs")?.id != nil)

        // Removing what is not there changes nothing; no changes keep the same
        // tree.
        #expect(try repository.updateTree(third, [.remove(path: "jobs/zzz/x.json")]) == third)
        #expect(try repository.updateTree(third, []) == third)
        #expect(try repository.updateTree(nil, []) == (try repository.emptyTree()))

        // A later change to the same path wins.
        let last = try repository.updateTree(
            third, [.upsert(path: "x", blob: one), .upsert(path: "x", blob: two)])
        #expect(try repository.entry(in: last, path: "x")?.id == two)

        // Bad paths are refused before libgit2 sees them.
        for bad in ["", "/abs", "a//b", "a/../b", "a/./b", "trailing/"] {
            #expect(throws: GitError.self, "path \(bad)") {
                try repository.updateTree(third, [.upsert(path: bad, blob: one)])
            }
        }
        let commitID = try repository.createCommit(
            tree: last, parents: [], message: "trees\n", author: testAuthor)
        try repository.setReference(
            "refs/heads/main", to: commitID, expected: nil, message: "test")
        try expectFsckClean(repository.gitDirectory)
    }

    @Test("upsertTree grafts whole subtrees by id, beside blobs and into a base")
    func upsertTree() throws {
        let directory = try makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        let repository = try Repository.create(at: directory + "/r.git", bare: true)
        let zip = try repository.createBlob(Data("zip".utf8))
        let log = try repository.createBlob(Data("log".utf8))
        let payload = try repository.updateTree(
            nil, [.upsert(path: "jobs/k3/a-k3/job.zip", blob: zip)])
        let result = try repository.updateTree(nil, [.upsert(path: "log.txt", blob: log)])

        // Two subtrees under one new directory, in one call: both keep their ids.
        let first = try repository.updateTree(
            nil,
            [
                .upsertTree(path: "a-k3/payload", tree: payload),
                .upsertTree(path: "a-k3/results/1", tree: result),
            ])
        #expect(try repository.entry(in: first, path: "a-k3/payload")?.id == payload)
        #expect(try repository.entry(in: first, path: "a-k3/results/1")?.id == result)
        #expect(
            try repository.entry(in: first, path: "a-k3/payload/jobs/k3/a-k3/job.zip")?.id == zip)

        // Into a base: what was there stays; a blob beside a subtree is fine.
        let second = try repository.updateTree(
            first,
            [.upsertTree(path: "b-x9/results/2", tree: result), .upsert(path: "note", blob: log)])
        #expect(
            try repository.entry(in: second, path: "a-k3")?.id
                == (try repository.entry(in: first, path: "a-k3")?.id))
        #expect(try repository.entry(in: second, path: "b-x9/results/2")?.id == result)

        // A blob id where a tree is wanted is refused by libgit2.
        #expect(throws: GitError.self) {
            try repository.updateTree(second, [.upsertTree(path: "c/payload", tree: zip)])
        }
        let commit = try repository.createCommit(
            tree: second, parents: [], message: "grafts\n", author: testAuthor)
        try repository.setReference("refs/heads/main", to: commit, expected: nil, message: "test")
        try expectFsckClean(repository.gitDirectory)
    }

    @Test("entries lists a directory in git order; absent or file paths give []")
    func entries() throws {
        let directory = try makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        let repository = try Repository.create(at: directory + "/r.git", bare: true)
        let blob = try repository.createBlob(Data("x".utf8))
        let tree = try repository.updateTree(
            nil,
            [
                .upsert(path: "jobs/b.json", blob: blob), .upsert(path: "jobs/a/x", blob: blob),
                .upsert(path: "top", blob: blob),
            ])
        let root = try repository.entries(in: tree, directory: "")
        #expect(root.map(\.name) == ["jobs", "top"])
        #expect(root.map(\.isTree) == [true, false])
        let jobs = try repository.entries(in: tree, directory: "jobs")
        #expect(jobs.map(\.name) == ["a", "b.json"])
        #expect(jobs[1].id == blob)
        #expect(try repository.entries(in: tree, directory: "nope").isEmpty)
        #expect(try repository.entries(in: tree, directory: "top").isEmpty)
        #expect(try repository.entry(in: tree, path: "") == nil)
        #expect(try repository.entries(in: try repository.emptyTree(), directory: "").isEmpty)
    }
}
