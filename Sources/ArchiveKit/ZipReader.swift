import CArchive
import Foundation

/// Streams the entries of a ZIP, from a file or from memory, without extracting
/// anything.
///
/// Data comes out in chunks so a caller can count the bytes that really inflate
/// and stop as soon as a cap is passed; a deflate bomb is never held in memory
/// or written out. Owns one `struct archive` (from `archive_read_new`), freed
/// in `deinit`. Not thread-safe, so not Sendable.
public final class ZipReader {
    private let handle: OpaquePointer
    /// Our own copy of in-memory input; `archive_read_open_memory` borrows it
    /// until free.
    private let memory: UnsafeMutableRawBufferPointer?

    private init(handle: OpaquePointer, memory: UnsafeMutableRawBufferPointer?) {
        self.handle = handle
        self.memory = memory
    }

    /// Opens a ZIP file on disk (`archive_read_open_filename`). Only the ZIP
    /// format is enabled, so a tarball or any other archive is refused as
    /// unrecognised.
    public convenience init(path: String) throws(ArchiveError) {
        let handle = try Self.makeHandle()
        do {
            try ArchiveError.check(
                archive_read_open_filename(handle, path, 64 << 10), handle,
                "archive_read_open_filename")
        } catch {
            archive_read_free(handle)
            throw error
        }
        self.init(handle: handle, memory: nil)
    }

    /// Opens a ZIP held in memory (`archive_read_open_memory`); the bytes are
    /// copied so the caller's `Data` may go away.
    public convenience init(data: Data) throws(ArchiveError) {
        let handle = try Self.makeHandle()
        let memory = UnsafeMutableRawBufferPointer.allocate(
            byteCount: max(data.count, 1), alignment: 1)
        data.copyBytes(to: memory)
        do {
            try ArchiveError.check(
                archive_read_open_memory(handle, memory.baseAddress, data.count), handle,
                "archive_read_open_memory")
        } catch {
            archive_read_free(handle)
            memory.deallocate()
            throw error
        }
        self.init(handle: handle, memory: memory)
    }

    deinit {
        // Nothing can be reported from deinit; a failed free only leaks the
        // handle.
        _ = archive_read_free(handle)
        memory?.deallocate()
    }

    /// `archive_read_new` with only the ZIP format enabled (seekable and
    /// streaming readers).
    private static func makeHandle() throws(ArchiveError) -> OpaquePointer {
        let handle = try ArchiveError.checkHandle(archive_read_new(), "archive_read_new")
        do {
            try ArchiveError.check(
                archive_read_support_format_zip(handle), handle,
                "archive_read_support_format_zip")
        } catch {
            archive_read_free(handle)
            throw error
        }
        return handle
    }

    /// The next entry's header (`archive_read_next_header`), or nil at the end
    /// of the ZIP. Any data of the previous entry that was not read is skipped
    /// by libarchive. Names are read in a UTF-8 locale (see `UTF8Locale`).
    public func nextEntry() throws(ArchiveError) -> ZipEntry? {
        try UTF8Locale.run { () throws(ArchiveError) -> ZipEntry? in
            var entry: OpaquePointer?
            let status = archive_read_next_header(handle, &entry)
            if status == ARCHIVE_EOF { return nil }
            try ArchiveError.check(status, handle, "archive_read_next_header")
            guard let entry else {
                throw ArchiveError(
                    code: status, message: "no entry returned",
                    function: "archive_read_next_header")
            }
            return ZipEntry(reading: entry)
        }
    }

    /// Up to `maxLength` more inflated bytes of the current entry
    /// (`archive_read_data`), or nil once the entry is exhausted. Corrupt or
    /// truncated data throws.
    public func readChunk(maxLength: Int = 64 << 10) throws(ArchiveError) -> Data? {
        var chunk = Data(count: maxLength)
        let count = chunk.withUnsafeMutableBytes { buffer in
            archive_read_data(handle, buffer.baseAddress, buffer.count)
        }
        try ArchiveError.check(count, handle, "archive_read_data", isByteCount: true)
        if count == 0 { return nil }
        chunk.count = count
        return chunk
    }
}

@available(*, unavailable)
extension ZipReader: Sendable {}
