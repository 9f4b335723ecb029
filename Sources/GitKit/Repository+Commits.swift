import CGit2
import Foundation

/// Commits and history walks.
extension Repository {
    /// Writes a commit object (`git_commit_create` with no `update_ref`);
    /// moving a ref is a separate compare-and-swap (`setReference`) so losing a
    /// race leaves no trace. `author` is used as committer too.
    public func createCommit(
        tree: ObjectID, parents: [ObjectID], message: String, author: Signature
    ) throws -> ObjectID {
        let treeHandle = try lookupTree(tree)
        defer { git_tree_free(treeHandle) }

        // Load the parents; all loaded so far are freed on any exit.
        var parentHandles: [OpaquePointer?] = []
        defer { for parent in parentHandles { git_commit_free(parent) } }
        for parent in parents {
            parentHandles.append(try lookupCommit(parent))
        }

        // Write the commit object.
        var oid = git_oid()
        try author.withGitSignature { signature throws(GitError) in
            let result = parentHandles.withUnsafeMutableBufferPointer { buffer in
                git_commit_create(
                    &oid, handle, nil, signature, signature, nil, message, treeHandle,
                    buffer.count, buffer.baseAddress)
            }
            try check(result, "git_commit_create")
        }
        return ObjectID(oid)
    }

    /// Reads a commit (`git_commit_lookup` and its accessors).
    public func commit(_ id: ObjectID) throws -> CommitInfo {
        let commit = try lookupCommit(id)
        defer { git_commit_free(commit) }
        var parents: [ObjectID] = []
        for index in 0..<git_commit_parentcount(commit) {
            if let parent = git_commit_parent_id(commit, index) {
                parents.append(ObjectID(parent))
            }
        }
        guard let tree = git_commit_tree_id(commit) else {
            throw Self.missing("git_commit_tree_id")
        }
        let author = git_commit_author(commit)?.pointee
        return CommitInfo(
            id: id, tree: ObjectID(tree), parents: parents,
            message: git_commit_message(commit).map { String(cString: $0) } ?? "",
            authorName: author?.name.map { String(cString: $0) } ?? "",
            authorEmail: author?.email.map { String(cString: $0) } ?? "",
            time: Date(timeIntervalSince1970: TimeInterval(author?.when.time ?? 0)))
    }

    /// Commits reachable from `tip` but not from `excluding`, OLDEST FIRST:
    /// every commit comes after all of its parents (`git_revwalk` sorted
    /// topologically, reversed).
    public func commits(from tip: ObjectID, excluding: ObjectID?) throws -> [ObjectID] {
        var walk: OpaquePointer?
        try check(git_revwalk_new(&walk, handle), "git_revwalk_new")
        defer { git_revwalk_free(walk) }
        let order = GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_REVERSE.rawValue
        try check(git_revwalk_sorting(walk, order), "git_revwalk_sorting")
        var tipOID = tip.oid
        try check(git_revwalk_push(walk, &tipOID), "git_revwalk_push")
        if var hidden = excluding?.oid {
            try check(git_revwalk_hide(walk, &hidden), "git_revwalk_hide")
        }

        // Drain the walk; GIT_ITEROVER ends it, anything else negative is an
        // error.
        var result: [ObjectID] = []
        var next = git_oid()
        while true {
            let status = git_revwalk_next(&next, walk)
            if status == GIT_ITEROVER.rawValue { break }
            try check(status, "git_revwalk_next")
            result.append(ObjectID(next))
        }
        return result
    }

    /// Whether `ancestor` is reachable from `descendant`
    /// (`git_graph_descendant_of`). Like `git merge-base --is-ancestor`, a
    /// commit counts as its own ancestor.
    public func isAncestor(_ ancestor: ObjectID, of descendant: ObjectID) throws -> Bool {
        if ancestor == descendant { return true }
        var commitOID = descendant.oid
        var ancestorOID = ancestor.oid
        let answer = try check(
            git_graph_descendant_of(handle, &commitOID, &ancestorOID), "git_graph_descendant_of")
        return answer == 1
    }

    /// Looks a commit up (`git_commit_lookup`); the caller frees it with
    /// `git_commit_free`.
    func lookupCommit(_ id: ObjectID) throws(GitError) -> OpaquePointer {
        var oid = id.oid
        var commit: OpaquePointer?
        try check(git_commit_lookup(&commit, handle, &oid), "git_commit_lookup")
        guard let commit else { throw Self.missing("git_commit_lookup") }
        return commit
    }
}
