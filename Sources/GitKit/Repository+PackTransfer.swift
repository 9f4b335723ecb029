import CGit2

/// Moving many objects to a repository on this machine as one pack file.
extension Repository {
    /// From this many objects on a push writes a pack rather than loose
    /// objects (git's own `receive.unpackLimit` default).
    static let packThreshold = 100

    /// Packs exactly `objects` (`git_packbuilder_insert` each: the caller has
    /// chosen what the remote lacks, which `git_packbuilder_insert_walk` cannot
    /// know of trees grafted from other refs) and streams the pack into
    /// `remote`'s object database (`git_packbuilder_foreach` into
    /// `git_odb_write_pack`, whose indexer checks every object).
    func packObjects(_ objects: [ObjectID], into remote: Repository) throws(GitError) {
        var builder: OpaquePointer?
        try check(git_packbuilder_new(&builder, handle), "git_packbuilder_new")
        defer { git_packbuilder_free(builder) }
        for object in objects {
            var oid = object.oid
            try check(git_packbuilder_insert(builder, &oid, nil), "git_packbuilder_insert")
        }

        // Open the receiving side; its `free` runs whatever happens next.
        var writepack: UnsafeMutablePointer<git_odb_writepack>?
        try check(
            git_odb_write_pack(&writepack, remote.database, nil, nil), "git_odb_write_pack")
        guard let writepack else { throw Self.missing("git_odb_write_pack") }
        defer { writepack.pointee.free?(writepack) }
        guard let append = writepack.pointee.append, let commit = writepack.pointee.commit
        else { throw Self.missing("git_odb_writepack") }

        // Stream the pack through the indexer, then let it write the index.
        let sink = PackSink(writepack: writepack, append: append)
        let streamed = withExtendedLifetime(sink) {
            git_packbuilder_foreach(
                builder,
                { buffer, size, payload in
                    guard let payload else { return GIT_ERROR.rawValue }
                    let sink = Unmanaged<PackSink>.fromOpaque(payload).takeUnretainedValue()
                    return sink.append(sink.writepack, buffer, size, &sink.progress)
                }, Unmanaged.passUnretained(sink).toOpaque())
        }
        try check(streamed, "git_packbuilder_foreach")
        try check(commit(writepack, &sink.progress), "git_odb_writepack.commit")
    }
}

/// What the pack-streaming callback needs, passed as its payload.
private final class PackSink {
    let writepack: UnsafeMutablePointer<git_odb_writepack>
    let append:
        @convention(c) (
            UnsafeMutablePointer<git_odb_writepack>?, UnsafeRawPointer?, Int,
            UnsafeMutablePointer<git_indexer_progress>?
        ) -> Int32
    var progress = git_indexer_progress()

    init(
        writepack: UnsafeMutablePointer<git_odb_writepack>,
        append:
            @escaping @convention(c) (
                UnsafeMutablePointer<git_odb_writepack>?, UnsafeRawPointer?, Int,
                UnsafeMutablePointer<git_indexer_progress>?
            ) -> Int32
    ) {
        self.writepack = writepack
        self.append = append
    }
}
