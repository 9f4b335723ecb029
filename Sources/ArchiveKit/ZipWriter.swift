import CArchive
import Foundation

/// Writes a ZIP, to a file or to memory, entry by entry.
///
/// It writes what it is told, hostile names and symlinks included, because
/// tests need to build the attacks the readers must refuse; code that packs
/// real folders goes through `zipDirectory(at:to:maxBytes:)`, which never
/// follows or stores a symlink. Owns one `struct archive` (from
/// `archive_write_new`), freed in `deinit`. Not thread-safe.
public final class ZipWriter {
    private let handle: OpaquePointer
    /// Collects output when writing to memory; the handle holds it unretained.
    private let sink: MemorySink?
    private var isClosed = false

    /// Entries get this modification time (2020-01-01T00:00:00Z) unless copied
    /// from disk, so that the same input gives the same bytes.
    public static let fixedModificationTime = 1_577_836_800

    private init(handle: OpaquePointer, sink: MemorySink?) {
        self.handle = handle
        self.sink = sink
    }

    /// Creates (or truncates) a ZIP file at `path`
    /// (`archive_write_open_filename`).
    public convenience init(path: String) throws(ArchiveError) {
        let handle = try Self.makeHandle()
        do {
            try ArchiveError.check(
                archive_write_open_filename(handle, path), handle, "archive_write_open_filename")
        } catch {
            archive_write_free(handle)
            throw error
        }
        self.init(handle: handle, sink: nil)
    }

    /// Writes into memory (`archive_write_open2` with our own write callback);
    /// take the bytes with `finishData()`.
    public convenience init() throws(ArchiveError) {
        let handle = try Self.makeHandle()
        let sink = MemorySink()
        let status = archive_write_open2(
            handle, Unmanaged.passUnretained(sink).toOpaque(), nil,
            { _, client, buffer, length in
                guard let client, let buffer else { return -1 }
                let sink = Unmanaged<MemorySink>.fromOpaque(client).takeUnretainedValue()
                sink.bytes.append(buffer.assumingMemoryBound(to: UInt8.self), count: length)
                return length
            }, nil, nil)
        do {
            try ArchiveError.check(status, handle, "archive_write_open2")
        } catch {
            archive_write_free(handle)
            throw error
        }
        self.init(handle: handle, sink: sink)
    }

    deinit {
        // archive_write_free closes too; nothing can be reported from deinit.
        _ = archive_write_free(handle)
    }

    /// `archive_write_new` set to ZIP (deflate), without padding the last
    /// block.
    private static func makeHandle() throws(ArchiveError) -> OpaquePointer {
        let handle = try ArchiveError.checkHandle(archive_write_new(), "archive_write_new")
        do {
            try ArchiveError.check(
                archive_write_set_format_zip(handle), handle, "archive_write_set_format_zip")
            try ArchiveError.check(
                archive_write_set_bytes_in_last_block(handle, 1), handle,
                "archive_write_set_bytes_in_last_block")
        } catch {
            archive_write_free(handle)
            throw error
        }
        return handle
    }

    /// Adds a regular file holding `contents`. `pathname` is stored verbatim.
    public func addFile(
        _ pathname: String, contents: Data, permissions: UInt16 = 0o644
    ) throws(ArchiveError) {
        try writeHeader(
            pathname, type: FileTypeBits.regular, permissions: permissions,
            size: Int64(contents.count))
        try writeData(contents)
        try finishEntry()
    }

    /// Adds a regular file of `size` bytes produced by `nextChunk` (nil when
    /// done), so large inputs (a test's deflate bomb, a job's output) never sit
    /// in memory whole. Producing fewer bytes than `size` lets libarchive pad
    /// with zeros; more are cut off.
    public func addFile(
        _ pathname: String, size: Int64, permissions: UInt16 = 0o644,
        modificationTime: Int = ZipWriter.fixedModificationTime,
        nextChunk: () throws -> Data?
    ) throws {
        try writeHeader(
            pathname, type: FileTypeBits.regular, permissions: permissions, size: size,
            modificationTime: modificationTime)
        var written: Int64 = 0
        while written < size, let chunk = try nextChunk() {
            let usable = chunk.prefix(Int(min(Int64(chunk.count), size - written)))
            try writeData(usable)
            written += Int64(usable.count)
        }
        try finishEntry()
    }

    /// Adds a directory entry; `pathname` should end in `/`.
    public func addDirectory(_ pathname: String, permissions: UInt16 = 0o755) throws(ArchiveError) {
        try writeHeader(pathname, type: FileTypeBits.directory, permissions: permissions, size: 0)
        try finishEntry()
    }

    /// Adds a symlink entry. Only tests of hostile input want this.
    public func addSymlink(_ pathname: String, target: String) throws(ArchiveError) {
        try writeHeader(
            pathname, type: FileTypeBits.symlink, permissions: 0o777, size: 0, symlink: target)
        try finishEntry()
    }

    /// Writes the central directory (`archive_write_close`). Further adds fail.
    public func close() throws(ArchiveError) {
        guard !isClosed else { return }
        isClosed = true
        try ArchiveError.check(archive_write_close(handle), handle, "archive_write_close")
    }

    /// Closes and returns the ZIP's bytes; only for a writer made with
    /// `init()`.
    public func finishData() throws(ArchiveError) -> Data {
        try close()
        guard let sink else {
            throw ArchiveError(
                code: ARCHIVE_FAILED, message: "this writer writes to a file, not to memory",
                function: "archive_write_close")
        }
        return sink.bytes
    }

    /// Builds an `archive_entry` (freed right here) and writes it
    /// (`archive_write_header`).
    private func writeHeader(
        _ pathname: String, type: UInt32, permissions: UInt16, size: Int64,
        modificationTime: Int = ZipWriter.fixedModificationTime, symlink: String? = nil
    ) throws(ArchiveError) {
        let entry = try ArchiveError.checkHandle(archive_entry_new(), "archive_entry_new")
        defer { archive_entry_free(entry) }
        archive_entry_set_pathname(entry, pathname)
        archive_entry_set_filetype(entry, type)
        archive_entry_set_perm(entry, mode_t(permissions))
        archive_entry_set_size(entry, size)
        archive_entry_set_mtime(entry, time_t(modificationTime), 0)
        if let symlink { archive_entry_set_symlink(entry, symlink) }
        try ArchiveError.check(
            archive_write_header(handle, entry), handle, "archive_write_header")
    }

    /// `archive_write_data` until every byte is taken; a negative count is an
    /// error.
    private func writeData(_ data: Data) throws(ArchiveError) {
        var offset = 0
        while offset < data.count {
            let count = data.withUnsafeBytes { buffer in
                archive_write_data(
                    handle, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
            }
            // Zero bytes taken would loop forever, so it counts as a failure.
            try ArchiveError.check(
                count == 0 ? -1 : count, handle, "archive_write_data", isByteCount: true)
            offset += count
        }
    }

    private func finishEntry() throws(ArchiveError) {
        try ArchiveError.check(
            archive_write_finish_entry(handle), handle, "archive_write_finish_entry")
    }
}

/// The growing output of an in-memory `ZipWriter`.
private final class MemorySink {
    var bytes = Data()
}

@available(*, unavailable)
extension ZipWriter: Sendable {}
