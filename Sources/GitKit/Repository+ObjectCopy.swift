import CGit2

/// Copying objects between two repositories on this machine, the first half
/// of a local push.
extension Repository {
    /// Writes into `remote` every object reachable from `tip` that it lacks.
    ///
    /// Small sets are copied as loose objects (`git_odb_read` here,
    /// `git_odb_write` there), children before parents, so an object present
    /// in `remote` always has its whole closure there and the copy can stop
    /// at the first tree `remote` has. Like git's `receive.unpackLimit`, sets
    /// of 100 objects or more travel as one pack instead (`git_packbuilder`
    /// into `git_odb_write_pack`: one file and one fsync rather than hundreds)
    /// — at once when the remote shares no history with us, else as soon as
    /// the loose copy exceeds that budget.
    // FIXME: libgit2 has no gc/repack, so loose objects and small packs pile
    // up in a remote fed thousands of pushes; run `git gc` there now and then.
    ///
    /// The commits to send are found by walking back from `tip` until the walk meets
    /// commits the remote already has, so the cost follows what is new, not how many refs
    /// the remote holds (a spool remote holds a ref per job).
    func copyObjects(reachableFrom tip: ObjectID, into remote: Repository) throws(GitError) {
        if remote.hasObject(tip) { return }
        let (missing, boundary) = try missingCommits(from: tip, in: remote)
        if !boundary.isEmpty {
            var budget = Self.packThreshold
            if try copyLoose(missing, into: remote, budget: &budget) { return }
        }

        // Too many objects for loose files: the rest go as one pack (objects
        // already copied loose may be sent again; duplicates are harmless).
        try packObjects(reachableFrom: tip, hiding: boundary, into: remote)
    }

    /// The commits reachable from `tip` that `remote` lacks, parents before children, and
    /// the commits the remote has where the walk stopped.
    ///
    /// A commit the remote has comes with its whole history (objects are only ever written
    /// after everything they point at), so the walk never needs to go past one.
    private func missingCommits(from tip: ObjectID, in remote: Repository) throws(GitError)
        -> (missing: [ObjectID], boundary: [ObjectID])
    {
        var missing: [ObjectID] = []
        var boundary: [ObjectID] = []
        var seen: Set<ObjectID> = [tip]
        // Post-order: a commit is emitted once all of its parents have been.
        var stack: [(id: ObjectID, expanded: Bool)] = [(tip, false)]
        while let (id, expanded) = stack.popLast() {
            if expanded {
                missing.append(id)
                continue
            }
            stack.append((id, true))
            for parent in try parents(of: id) where !seen.contains(parent) {
                seen.insert(parent)
                if remote.hasObject(parent) {
                    boundary.append(parent)
                } else {
                    stack.append((parent, false))
                }
            }
        }
        return (missing, boundary)
    }

    private func parents(of id: ObjectID) throws(GitError) -> [ObjectID] {
        let commit = try lookupCommit(id)
        defer { git_commit_free(commit) }
        return (0..<git_commit_parentcount(commit)).compactMap { index in
            git_commit_parent_id(commit, index).map { ObjectID($0) }
        }
    }

    /// Copies commits oldest first, each after its tree; false when more
    /// than `budget` objects would be needed (what was written stays valid).
    private func copyLoose(
        _ commits: [ObjectID], into remote: Repository, budget: inout Int
    ) throws(GitError) -> Bool {
        for commit in commits {
            let commitHandle = try lookupCommit(commit)
            let tree = git_commit_tree_id(commitHandle).map { ObjectID($0) }
            git_commit_free(commitHandle)
            guard let tree else { throw Self.missing("git_commit_tree_id") }
            guard try copyTree(tree, into: remote, budget: &budget), budget > 0 else {
                return false
            }
            try copyObject(commit, into: remote)
            budget -= 1
        }
        return true
    }

    /// A walk over commits reachable from `tip` but not from `hidden`, oldest
    /// first; the caller frees it with `git_revwalk_free`.
    func makeWalk(from tip: ObjectID, hiding hidden: [ObjectID]) throws(GitError)
        -> OpaquePointer
    {
        var walk: OpaquePointer?
        try check(git_revwalk_new(&walk, handle), "git_revwalk_new")
        guard let walk else { throw Self.missing("git_revwalk_new") }
        do {
            let order = GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_REVERSE.rawValue
            try check(git_revwalk_sorting(walk, order), "git_revwalk_sorting")
            var tipOID = tip.oid
            try check(git_revwalk_push(walk, &tipOID), "git_revwalk_push")
            for known in hidden {
                var oid = known.oid
                try check(git_revwalk_hide(walk, &oid), "git_revwalk_hide")
            }
        } catch {
            git_revwalk_free(walk)
            throw error
        }
        return walk
    }

    /// A tree's missing blobs and subtrees, then the tree; false as soon as
    /// the budget runs out.
    private func copyTree(
        _ id: ObjectID, into remote: Repository, budget: inout Int
    ) throws(GitError) -> Bool {
        if remote.hasObject(id) { return true }
        let tree = try lookupTree(id)
        let entries = Self.entries(of: tree)
        git_tree_free(tree)
        for entry in entries {
            guard budget > 0 else { return false }
            if entry.isTree {
                guard try copyTree(entry.id, into: remote, budget: &budget) else {
                    return false
                }
            } else if hasObject(entry.id) && !remote.hasObject(entry.id) {
                // Entries that are neither here (submodule commits) are
                // skipped.
                try copyObject(entry.id, into: remote)
                budget -= 1
            }
        }
        guard budget > 0 else { return false }
        try copyObject(id, into: remote)
        budget -= 1
        return true
    }

    /// One object, byte for byte; the id written must equal the id read.
    private func copyObject(_ id: ObjectID, into remote: Repository) throws(GitError) {
        var oid = id.oid
        var object: OpaquePointer?
        try check(git_odb_read(&object, database, &oid), "git_odb_read")
        defer { git_odb_object_free(object) }
        guard let object else { throw Self.missing("git_odb_read") }
        var written = git_oid()
        try check(
            git_odb_write(
                &written, remote.database, git_odb_object_data(object),
                git_odb_object_size(object), git_odb_object_type(object)),
            "git_odb_write")
        guard ObjectID(written) == id else {
            throw GitError(
                code: GIT_EMISMATCH.rawValue, klass: Int32(GIT_ERROR_ODB.rawValue),
                message: "copied \(id) but the remote stored \(ObjectID(written))",
                function: "git_odb_write")
        }
    }
}
