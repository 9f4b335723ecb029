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
    func copyObjects(reachableFrom tip: ObjectID, into remote: Repository) throws(GitError) {
        if remote.hasObject(tip) { return }
        var hidden: [ObjectID] = []
        for known in try remote.allReferenceTargets() where try isCommit(known) {
            hidden.append(known)
        }
        if !hidden.isEmpty {
            let missing = try commitsToSend(from: tip, hiding: hidden, into: remote)
            var budget = Self.packThreshold
            if try copyLoose(missing, into: remote, budget: &budget) { return }
        }

        // Too many objects for loose files: the rest go as one pack (objects
        // already copied loose may be sent again; duplicates are harmless).
        try packObjects(reachableFrom: tip, hiding: hidden, into: remote)
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

    /// Commits reachable from `tip`, not from `hidden`, absent from `remote`;
    /// oldest first.
    private func commitsToSend(
        from tip: ObjectID, hiding hidden: [ObjectID], into remote: Repository
    ) throws(GitError) -> [ObjectID] {
        let walk = try makeWalk(from: tip, hiding: hidden)
        defer { git_revwalk_free(walk) }
        var result: [ObjectID] = []
        var next = git_oid()
        while true {
            let status = git_revwalk_next(&next, walk)
            if status == GIT_ITEROVER.rawValue { break }
            try check(status, "git_revwalk_next")
            let commit = ObjectID(next)
            if !remote.hasObject(commit) { result.append(commit) }
        }
        return result
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

    /// Whether this repository has `id` and it is a commit
    /// (`git_odb_read_header`); refs may also point at tags or blobs.
    private func isCommit(_ id: ObjectID) throws(GitError) -> Bool {
        guard hasObject(id) else { return false }
        var oid = id.oid
        var size = 0
        var type = GIT_OBJECT_INVALID
        try check(git_odb_read_header(&size, &type, database, &oid), "git_odb_read_header")
        return type == GIT_OBJECT_COMMIT
    }

    /// Targets of every ref under `refs/` (`git_reference_iterator_new`).
    func allReferenceTargets() throws(GitError) -> [ObjectID] {
        var iterator: OpaquePointer?
        try check(git_reference_iterator_new(&iterator, handle), "git_reference_iterator_new")
        defer { git_reference_iterator_free(iterator) }
        var result: [ObjectID] = []
        while true {
            var reference: OpaquePointer?
            let status = git_reference_next(&reference, iterator)
            if status == GIT_ITEROVER.rawValue { break }
            try check(status, "git_reference_next")
            if let target = git_reference_target(reference) { result.append(ObjectID(target)) }
            git_reference_free(reference)
        }
        return result
    }
}
