import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What `zipDirectory` put in the ZIP and what it left out.
public struct DirectoryZipSummary: Sendable, Equatable {
    /// Relative paths of the regular files stored.
    public var storedFiles: [String]
    public var storedBytes: Int64
    /// Files left out because storing them would pass the byte cap.
    public var omittedForSize: [String]
    /// Files and folders left out because the ZIP already held the most entries
    /// an unpacker accepts.
    public var omittedForCount: [String] = []
    /// Symlinks, sockets, fifos and devices: never followed, never stored.
    public var skippedNonRegular: [String]
    /// Names that would not unpack as themselves (see
    /// `ZipEntryPolicy.unpacksAsItself`): stored, they would be renamed,
    /// dropped or refused on the way out.
    public var skippedNames: [String] = []
    /// The size of the finished ZIP file.
    public var zipBytes: Int64

    /// True when the cap cut something off.
    public var isTruncated: Bool { !omittedForSize.isEmpty }
}

extension ZipWriter {
    /// Zips the folder at `directory` into a new ZIP file at `zipPath`, walking
    /// it in sorted order with `lstat` semantics so a symlink (say to `/etc`)
    /// is never followed.
    ///
    /// Files are added while the estimated ZIP size stays within `maxBytes`; a
    /// file that would pass it is left out whole and reported, and the walk
    /// goes on so smaller files can still fit. The estimate is the file's size
    /// plus 1% and header room, a bound deflate does not exceed, so the
    /// finished ZIP is at most `maxBytes`.
    ///
    /// What is stored always unpacks again under the same rules
    /// (`ZipExtractor.safeExtract` with at most `maxEntries`): entries past
    /// that count, and names that would not unpack as themselves, are left out
    /// and reported.
    public static func zipDirectory(
        at directory: String, to zipPath: String, maxBytes: Int64, maxEntries: Int = .max
    ) throws(ZipOperationError) -> DirectoryZipSummary {
        var summary = DirectoryZipSummary(
            storedFiles: [], storedBytes: 0, omittedForSize: [], skippedNonRegular: [],
            zipBytes: 0)
        let writer: ZipWriter
        do { writer = try ZipWriter(path: zipPath) } catch { throw .archive(error) }
        var budget = Budget(bytes: maxBytes - Self.endOverhead, entries: maxEntries)
        try add(
            directory: directory, relative: "", writer: writer, budget: &budget,
            summary: &summary)
        do { try writer.close() } catch { throw .archive(error) }
        let attributes = try? FileManager.default.attributesOfItem(atPath: zipPath)
        summary.zipBytes = (attributes?[.size] as? NSNumber)?.int64Value ?? 0
        return summary
    }

    /// Room for the end-of-central-directory records.
    private static let endOverhead: Int64 = 128

    /// What is left to spend: bytes of ZIP, and entries.
    private struct Budget {
        var bytes: Int64
        var entries: Int
    }

    private static func estimatedCost(path: String, size: Int64) -> Int64 {
        size + size / 100 + 256 + 2 * Int64(path.utf8.count)
    }

    private static func add(
        directory: String, relative: String, writer: ZipWriter, budget: inout Budget,
        summary: inout DirectoryZipSummary
    ) throws(ZipOperationError) {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        } catch {
            throw .fileSystem(path: directory, message: "\(error)")
        }
        for name in names {
            let absolute = directory + "/" + name
            let path = relative.isEmpty ? name : relative + "/" + name
            var status = stat()
            guard lstat(absolute, &status) == 0 else { throw ZipExtractor.systemError(absolute) }

            // Folders recurse, regular files are stored if they fit, the rest
            // is reported.
            let kind = status.st_mode & S_IFMT
            guard kind == S_IFDIR || kind == S_IFREG else {
                summary.skippedNonRegular.append(path)
                continue
            }
            let entryName = kind == S_IFDIR ? path + "/" : path
            guard ZipEntryPolicy.unpacksAsItself(path) else {
                summary.skippedNames.append(entryName)
                continue
            }
            guard budget.entries > 0 else {
                summary.omittedForCount.append(entryName)
                continue
            }

            // One budget for both kinds: a folder is an entry with no bytes.
            let size = kind == S_IFDIR ? 0 : Int64(status.st_size)
            let cost = estimatedCost(path: entryName, size: size)
            guard cost <= budget.bytes else {
                summary.omittedForSize.append(entryName)
                continue
            }
            budget.bytes -= cost
            budget.entries -= 1
            if kind == S_IFDIR {
                do { try writer.addDirectory(entryName) } catch { throw .archive(error) }
                try add(
                    directory: absolute, relative: path, writer: writer, budget: &budget,
                    summary: &summary)
            } else {
                try writer.addFile(path, fromDisk: absolute)
                summary.storedFiles.append(path)
                summary.storedBytes += size
            }
        }
    }

    /// Adds the regular file at `path` on disk as `pathname`, streaming it.
    ///
    /// The file is opened with `O_NOFOLLOW` (and `O_NONBLOCK`, so a fifo
    /// cannot hang us) and judged by `fstat` on that open descriptor, so a
    /// symlink, or a file swapped for one after the caller looked, is refused
    /// rather than followed.
    public func addFile(_ pathname: String, fromDisk path: String) throws(ZipOperationError) {
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { throw ZipExtractor.systemError(path) }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw ZipExtractor.systemError(path) }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw .fileSystem(path: path, message: "not a regular file")
        }
        do {
            // FIXME: a file that grows while being zipped is cut at its fstat
            // size, and one that shrinks is padded with zeros by libarchive;
            // both only bite folders still being written.
            try addFile(
                pathname, size: Int64(status.st_size),
                permissions: UInt16(status.st_mode & 0o777),
                modificationTime: Int(status.st_mtim.tv_sec)
            ) {
                let chunk = try handle.read(upToCount: 64 << 10)
                return chunk?.isEmpty == false ? chunk : nil
            }
        } catch let error as ArchiveError {
            throw .archive(error)
        } catch {
            throw .fileSystem(path: path, message: "\(error)")
        }
    }
}
