import CGit2
import Foundation

/// References: the only mutable state in git, so every write here is a
/// compare-and-swap.
extension Repository {
    /// The object `name` finally points at (symbolic refs resolved, tags peeled
    /// with `git_reference_peel`); nil if the ref or the branch it names does
    /// not exist.
    public func reference(_ name: String) throws -> ObjectID? {
        var reference: OpaquePointer?
        let lookup = git_reference_lookup(&reference, handle, name)
        if lookup == GIT_ENOTFOUND.rawValue { return nil }
        try check(lookup, "git_reference_lookup")
        defer { git_reference_free(reference) }

        // Peel through symbolic refs and annotated tags to the target object.
        var target: OpaquePointer?
        let peel = git_reference_peel(&target, reference, GIT_OBJECT_ANY)
        if peel == GIT_ENOTFOUND.rawValue { return nil }
        try check(peel, "git_reference_peel")
        defer { git_object_free(target) }
        guard let id = git_object_id(target) else { throw Self.missing("git_object_id") }
        return ObjectID(id)
    }

    /// Compare-and-swap under the ref's lock (`git_reference_create_matching`):
    /// `expected == nil` means "must not exist yet". Losing throws a GitError
    /// with `isExists` (someone created it first) or `isModified` (it moved or
    /// vanished). A lock held by a live writer is waited out and a stale one
    /// removed (`RefLock`); a lock that stays throws with `isLocked`.
    public func setReference(
        _ name: String, to id: ObjectID, expected: ObjectID?, message: String
    ) throws {
        try RefLock.waitingOut {
            try setReferenceOnce(name, to: id, expected: expected, message: message)
        }
    }

    private func setReferenceOnce(
        _ name: String, to id: ObjectID, expected: ObjectID?, message: String
    ) throws {
        var newOID = id.oid
        var created: OpaquePointer?
        var result: Int32
        if var expectedOID = expected?.oid {
            result = git_reference_create_matching(
                &created, handle, name, &newOID, 1, &expectedOID, message)
        } else {
            result = git_reference_create_matching(
                &created, handle, name, &newOID, 0, nil, message)
        }

        // The fs backend answers "not found" when an expected ref vanished: a
        // lost race.
        if result == GIT_ENOTFOUND.rawValue, let expected {
            throw GitError(
                code: GIT_EMODIFIED.rawValue, klass: Int32(GIT_ERROR_REFERENCE.rawValue),
                message: "reference '\(name)' no longer exists (expected \(expected))",
                function: "git_reference_create_matching")
        }
        try check(result, "git_reference_create_matching")
        git_reference_free(created)
    }

    /// Deletes `name` if it still points at `expected` (nil = whatever it
    /// points at).
    ///
    /// `git_reference_delete` re-checks the value it looked up under the ref's
    /// lock, so a concurrent move between lookup and delete makes it fail with
    /// `isModified`. Deleting an absent ref with `expected == nil` succeeds;
    /// with an expected value it is a loss.
    public func deleteReference(_ name: String, expected: ObjectID?) throws {
        try RefLock.waitingOut { try deleteReferenceOnce(name, expected: expected) }
    }

    private func deleteReferenceOnce(_ name: String, expected: ObjectID?) throws {
        var reference: OpaquePointer?
        let lookup = git_reference_lookup(&reference, handle, name)
        if lookup == GIT_ENOTFOUND.rawValue {
            guard let expected else { return }
            throw GitError(
                code: GIT_EMODIFIED.rawValue, klass: Int32(GIT_ERROR_REFERENCE.rawValue),
                message: "reference '\(name)' no longer exists (expected \(expected))",
                function: "git_reference_lookup")
        }
        try check(lookup, "git_reference_lookup")
        defer { git_reference_free(reference) }

        // Refuse early if it already moved; libgit2 catches a move after this
        // point.
        if let expected {
            let current = git_reference_target(reference).map { ObjectID($0) }
            guard current == expected else {
                let seen = current?.hex ?? "a symbolic ref"
                throw GitError(
                    code: GIT_EMODIFIED.rawValue, klass: Int32(GIT_ERROR_REFERENCE.rawValue),
                    message: "reference '\(name)' is \(seen), expected \(expected)",
                    function: "git_reference_delete")
            }
        }
        try check(git_reference_delete(reference), "git_reference_delete")
        removeEmptyDirectories(above: name)
    }

    /// Removes the directories a deleted loose ref leaves empty, as git does.
    ///
    /// libgit2 1.5 leaves them (`refs/dtrain/results/<job>/` once its last ref
    /// is deleted), and every later listing of the refs walks them: 10,000
    /// empty directories made one listing of a repository with one ref take
    /// 85 ms instead of 0.1 ms here. The first three levels (`refs/heads`,
    /// `refs/dtrain/claims`) always stay: a writer creating a ref beside the
    /// deleted one at that instant would find its directory gone.
    private func removeEmptyDirectories(above name: String) {
        var parts = name.split(separator: "/").dropLast()
        while parts.count > 3 {
            let path = gitDirectory + "/" + parts.joined(separator: "/")
            // rmdir refuses a directory that is not empty: someone else's refs stay.
            guard rmdir(path) == 0 else { return }
            parts = parts.dropLast()
        }
    }

    /// Refs whose names match `glob` (`git_reference_iterator_glob_new`, e.g.
    /// `refs/claims/*`; `*` also matches `/`, so nested refs are included),
    /// each with its resolved target, sorted by name. Symbolic refs that
    /// resolve nowhere are skipped.
    public func references(glob: String) throws -> [(name: String, id: ObjectID)] {
        var iterator: OpaquePointer?
        try check(
            git_reference_iterator_glob_new(&iterator, handle, glob),
            "git_reference_iterator_glob_new")
        defer { git_reference_iterator_free(iterator) }

        // Walk the iterator; GIT_ITEROVER ends it.
        var result: [(name: String, id: ObjectID)] = []
        while true {
            var reference: OpaquePointer?
            let status = git_reference_next(&reference, iterator)
            if status == GIT_ITEROVER.rawValue { break }
            try check(status, "git_reference_next")
            defer { git_reference_free(reference) }
            guard let reference, let name = git_reference_name(reference) else { continue }
            if let id = try resolvedTarget(of: reference) {
                result.append((String(cString: name), id))
            }
        }
        return result.sorted { $0.name < $1.name }
    }

    /// A direct ref's target, or a symbolic ref's after
    /// `git_reference_resolve`.
    private func resolvedTarget(of reference: OpaquePointer) throws(GitError) -> ObjectID? {
        if let direct = git_reference_target(reference) { return ObjectID(direct) }
        var resolved: OpaquePointer?
        let status = git_reference_resolve(&resolved, reference)
        if status == GIT_ENOTFOUND.rawValue { return nil }
        try check(status, "git_reference_resolve")
        defer { git_reference_free(resolved) }
        return git_reference_target(resolved).map { ObjectID($0) }
    }
}
