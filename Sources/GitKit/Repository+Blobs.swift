import CGit2
import Foundation

/// Blobs: the bytes of every record and upload in the spool.
extension Repository {
    /// Stores `data` as a blob (`git_blob_create_from_buffer`); no filters are
    /// applied.
    public func createBlob(_ data: Data) throws -> ObjectID {
        var oid = git_oid()
        let result = data.withUnsafeBytes { bytes in
            git_blob_create_from_buffer(&oid, handle, bytes.baseAddress, bytes.count)
        }
        try check(result, "git_blob_create_from_buffer")
        return ObjectID(oid)
    }

    /// Stores a file's bytes as a blob, streaming it in 1 MiB chunks through
    /// `git_odb_open_wstream`, so a large upload is never held in memory whole.
    ///
    /// The size is taken from `fstat` up front (the object header needs it); a
    /// file that grows or shrinks while being read makes libgit2 refuse the
    /// object.
    public func createBlob(fromFile path: String) throws -> ObjectID {
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Self.systemError("open", path: path) }
        defer { Glibc.close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw Self.systemError("fstat", path: path) }

        // Open the stream; it is freed whatever happens below.
        var stream: UnsafeMutablePointer<git_odb_stream>?
        try check(
            git_odb_open_wstream(
                &stream, database, git_object_size_t(status.st_size), GIT_OBJECT_BLOB),
            "git_odb_open_wstream")
        defer { git_odb_stream_free(stream) }
        guard let stream else { throw Self.missing("git_odb_open_wstream") }

        // Copy the file through in chunks.
        var buffer = [CChar](repeating: 0, count: 1 << 20)
        while true {
            let count = buffer.withUnsafeMutableBytes { raw in
                Glibc.read(descriptor, raw.baseAddress, raw.count)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw Self.systemError("read", path: path)
            }
            if count == 0 { break }
            try check(git_odb_stream_write(stream, buffer, count), "git_odb_stream_write")
        }

        // Finalising hashes and stores the object (fails if the size was
        // wrong).
        var oid = git_oid()
        try check(git_odb_stream_finalize_write(&oid, stream), "git_odb_stream_finalize_write")
        return ObjectID(oid)
    }

    /// The bytes of a blob (`git_blob_lookup`, `git_blob_rawcontent`), copied
    /// out.
    public func blob(_ id: ObjectID) throws -> Data {
        var oid = id.oid
        var blob: OpaquePointer?
        try check(git_blob_lookup(&blob, handle, &oid), "git_blob_lookup")
        defer { git_blob_free(blob) }
        guard let blob else { throw Self.missing("git_blob_lookup") }
        let size = Int(git_blob_rawsize(blob))
        guard size > 0, let content = git_blob_rawcontent(blob) else { return Data() }
        return Data(bytes: content, count: size)
    }

    /// A file-system failure while feeding libgit2, reported as a GitError of
    /// class OS.
    static func systemError(_ function: String, path: String) -> GitError {
        let reason = String(cString: strerror(errno))
        return GitError(
            code: GIT_ERROR.rawValue, klass: Int32(GIT_ERROR_OS.rawValue),
            message: "\(path): \(reason)", function: function)
    }
}
