import Foundation
import Testing

@testable import GitKit

@Suite("GitKit commits, refs and diffs")
struct RepositoryHistoryTests {
    @Test("commits round-trip and walk oldest first, honouring excluding")
    func commitWalk() throws {
        let directory = try makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        let repository = try Repository.create(at: directory + "/r.git", bare: true)

        // root -> a -> b, root -> c, then merge(b, c).
        let root = try repository.commitFiles(["f": "0"], parent: nil, message: "root\n")
        let a = try repository.commitFiles(["f": "a"], parent: root, message: "a\n")
        let b = try repository.commitFiles(["g": "b"], parent: a, message: "b\n")
        let c = try repository.commitFiles(["h": "c"], parent: root, message: "c\n")
        let mergeTree = try repository.commit(b).tree
        let merge = try repository.createCommit(
            tree: mergeTree, parents: [b, c], message: "merge\n", author: testAuthor)

        let info = try repository.commit(merge)
        #expect(info.id == merge)
        #expect(info.parents == [b, c])
        #expect(info.tree == mergeTree)
        #expect(info.message == "merge\n")
        #expect(info.authorName == "Test Author")
        #expect(info.authorEmail == "author@example.invalid")
        #expect(info.time == Date(timeIntervalSince1970: 1_700_000_000))

        // Every commit after its parents; the root first, the merge last.
        let all = try repository.commits(from: merge, excluding: nil)
        #expect(Set(all) == [root, a, b, c, merge])
        #expect(all.first == root)
        #expect(all.last == merge)
        let position = Dictionary(uniqueKeysWithValues: all.enumerated().map { ($1, $0) })
        for commit in all {
            for parent in try repository.commit(commit).parents {
                #expect(try #require(position[parent]) < (try #require(position[commit])))
            }
        }
        #expect(try repository.commits(from: b, excluding: root) == [a, b])
        #expect(try repository.commits(from: merge, excluding: b) == [c, merge])
        #expect(try repository.commits(from: b, excluding: b).isEmpty)

        // The CLI agrees with the walk (git's --topo-order --reverse).
        let cli = try git(
            ["rev-list", "--topo-order", "--reverse", b.hex], in: directory + "/r.git")
        #expect(cli.split(separator: "\n").map(String.init) == [root, a, b].map(\.hex))

        #expect(try repository.isAncestor(root, of: merge))
        #expect(try repository.isAncestor(c, of: merge))
        #expect(try repository.isAncestor(b, of: b))
        #expect(try !repository.isAncestor(c, of: b))
        #expect(try !repository.isAncestor(merge, of: root))
        #expect(throws: GitError.self) { try repository.commit(ObjectID.zero) }
    }

    @Test("refs are compare-and-swap: create-only and stale expected values lose")
    func compareAndSwap() throws {
        let directory = try makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        let repository = try Repository.create(at: directory + "/r.git", bare: true)
        let first = try repository.commitFiles(["f": "1"], parent: nil, message: "1\n")
        let second = try repository.commitFiles(["f": "2"], parent: first, message: "2\n")
        let third = try repository.commitFiles(["f": "3"], parent: second, message: "3\n")
        let claim = "refs/claims/job-1"

        // Create-only: the first creator wins, the second sees isExists.
        #expect(try repository.reference(claim) == nil)
        try repository.setReference(claim, to: first, expected: nil, message: "claim")
        let second0 = #expect(throws: GitError.self) {
            try repository.setReference(claim, to: second, expected: nil, message: "claim")
        }
        #expect(second0?.isExists == true)
        #expect(try repository.reference(claim) == first)

        // Moving with the right expected value works; a stale one loses.
        try repository.setReference(claim, to: second, expected: first, message: "renew")
        let stale = #expect(throws: GitError.self) {
            try repository.setReference(claim, to: third, expected: first, message: "renew")
        }
        #expect(stale?.isModified == true)
        #expect(try repository.reference(claim) == second)

        // A second handle (as another thread would have) sees the same and
        // loses too.
        let other = try Repository.open(at: directory + "/r.git")
        #expect(try other.reference(claim) == second)
        #expect(throws: GitError.self) {
            try other.setReference(claim, to: third, expected: first, message: "renew")
        }

        // Delete: stale expected loses, right expected wins, then moving it
        // loses.
        let staleDelete = #expect(throws: GitError.self) {
            try repository.deleteReference(claim, expected: first)
        }
        #expect(staleDelete?.isModified == true)
        try repository.deleteReference(claim, expected: second)
        #expect(try repository.reference(claim) == nil)
        let vanished = #expect(throws: GitError.self) {
            try repository.setReference(claim, to: third, expected: second, message: "renew")
        }
        #expect(vanished?.isModified == true)
        try repository.deleteReference(claim, expected: nil)

        // The CLI sees what we wrote; globs list refs sorted with their
        // targets.
        try repository.setReference("refs/claims/b", to: second, expected: nil, message: "b")
        try repository.setReference("refs/claims/a", to: first, expected: nil, message: "a")
        try repository.setReference("refs/heads/main", to: third, expected: nil, message: "m")
        let listed = try repository.references(glob: "refs/claims/*")
        #expect(listed.map(\.name) == ["refs/claims/a", "refs/claims/b"])
        #expect(listed.map(\.id) == [first, second])
        #expect(try repository.reference("HEAD") == third)

        // `*` crosses `/` (libgit2's wildmatch without WM_PATHNAME).
        try repository.setReference("refs/claims/x/deep", to: third, expected: nil, message: "d")
        let deep = try repository.references(glob: "refs/claims/*").map(\.name)
        #expect(deep == ["refs/claims/a", "refs/claims/b", "refs/claims/x/deep"])
        #expect(try repository.references(glob: "refs/nothing/*").isEmpty)
        try repository.deleteReference("refs/claims/x/deep", expected: third)
        let cli = try git(["rev-parse", "refs/claims/b"], in: directory + "/r.git")
        #expect(cli == second.hex + "\n")
        try expectFsckClean(repository.gitDirectory)
    }

    @Test("racing create-only refs from many threads: exactly one wins")
    func createRace() async throws {
        let directory = try makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        let path = directory + "/r.git"
        let setup = try Repository.create(at: path, bare: true)
        var commits: [ObjectID] = []
        for index in 0..<8 {
            commits.append(try setup.commitFiles(["f": "\(index)"], parent: nil, message: "c\n"))
        }
        let candidates = commits

        // Each task opens its own handle, as the threading rules require.
        let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
            for commit in candidates {
                group.addTask {
                    let repository = try Repository.open(at: path)
                    do {
                        try repository.setReference(
                            "refs/claims/race", to: commit, expected: nil, message: "race")
                        return true
                    } catch let error as GitError where error.isLostRace {
                        return false
                    }
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count == 1)
        let winner = try #require(try setup.reference("refs/claims/race"))
        #expect(candidates.contains(winner))
    }

    @Test("changedPaths lists added, modified and deleted files only")
    func changedPaths() throws {
        let directory = try makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        let repository = try Repository.create(at: directory + "/r.git", bare: true)
        let x = try repository.createBlob(Data("x".utf8))
        let y = try repository.createBlob(Data("y".utf8))
        let old = try repository.updateTree(
            nil,
            [
                .upsert(path: "keep/a", blob: x), .upsert(path: "jobs/1/job.json", blob: x),
                .upsert(path: "jobs/1/state", blob: x), .upsert(path: "gone/deep/z", blob: x),
                .upsert(path: "flip", blob: x),
            ])
        let new = try repository.updateTree(
            old,
            [
                .upsert(path: "jobs/1/job.json", blob: y),
                .upsert(path: "jobs/2/job.json", blob: x),
                .remove(path: "gone/deep/z"), .remove(path: "flip"),
                .upsert(path: "flip/inner", blob: x),
            ])
        #expect(
            try repository.changedPaths(from: old, to: new)
                == ["flip", "flip/inner", "gone/deep/z", "jobs/1/job.json", "jobs/2/job.json"])
        #expect(try repository.changedPaths(from: new, to: new).isEmpty)
        #expect(
            try repository.changedPaths(from: nil, to: old)
                == ["flip", "gone/deep/z", "jobs/1/job.json", "jobs/1/state", "keep/a"])

        // The CLI's view of the same two trees agrees.
        let cli = try git(
            ["diff", "--no-renames", "--name-only", old.hex, new.hex], in: directory + "/r.git")
        #expect(
            cli.split(separator: "\n").map(String.init)
                == ["flip", "flip/inner", "gone/deep/z", "jobs/1/job.json", "jobs/2/job.json"])
    }
}
