import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What `safeExtract` wrote.
public struct ExtractionSummary: Sendable, Equatable {
    /// Normalised path → bytes written, for regular files.
    public var files: [String: Int64]
    public var directories: [String]
    /// Stored names of macOS clutter that was skipped.
    public var ignored: [String]
}

/// Unpacks untrusted ZIPs by the rules of `ZipEntryPolicy`.
public enum ZipExtractor {
    /// Extracts `zip` into `target`, which must not exist or be an empty
    /// folder.
    ///
    /// Only regular files and folders are written, each inside `target`, files
    /// opened with `O_CREAT|O_EXCL|O_NOFOLLOW` so nothing already there is
    /// followed or overwritten. The inflated bytes are counted as they are
    /// written and extraction stops the moment `limits` are passed. On any
    /// error the target is emptied again, so a half-unpacked job never runs.
    public static func safeExtract(
        zip: String, into target: String, limits: ExtractionLimits
    ) throws(ZipOperationError) -> ExtractionSummary {
        try prepareEmptyDirectory(target)
        do {
            return try extract(zip: zip, into: target, limits: limits)
        } catch {
            removeContents(of: target)
            throw error
        }
    }

    private static func extract(
        zip: String, into target: String, limits: ExtractionLimits
    ) throws(ZipOperationError) -> ExtractionSummary {
        var summary = ExtractionSummary(files: [:], directories: [], ignored: [])
        var seen = Set<String>()
        var entryCount = 0
        var inflated: Int64 = 0
        let reader: ZipReader
        do { reader = try ZipReader(path: zip) } catch { throw .archive(error) }

        while let entry = try next(reader) {
            entryCount += 1
            if entryCount > limits.maxEntries { throw .tooManyEntries(limit: limits.maxEntries) }

            // Judge the entry before anything touches the disk.
            let path: String
            switch ZipEntryPolicy.screen(entry) {
            case .ignore:
                summary.ignored.append(entry.pathname)
                continue
            case .reject(let why): throw .rejected(entry: entry.pathname, why)
            case .accept(let accepted): path = accepted
            }
            guard seen.insert(path).inserted else { throw .duplicateEntry(entry.pathname) }
            let destination = target + "/" + path

            if entry.kind == .directory {
                try makeDirectory(destination)
                summary.directories.append(path)
                continue
            }

            // A file: its folder first, then its bytes, counted against the
            // cap.
            try makeDirectory((destination as NSString).deletingLastPathComponent)
            let written = try writeFile(
                from: reader, to: destination, entryName: entry.pathname,
                budget: limits.maxUncompressedBytes - inflated,
                limit: limits.maxUncompressedBytes)
            inflated += written
            summary.files[path] = written
        }
        return summary
    }

    private static func next(_ reader: ZipReader) throws(ZipOperationError) -> ZipEntry? {
        do { return try reader.nextEntry() } catch { throw .archive(error) }
    }

    /// Streams the current entry into a new file; returns the bytes written.
    private static func writeFile(
        from reader: ZipReader, to path: String, entryName: String, budget: Int64,
        limit: Int64
    ) throws(ZipOperationError) -> Int64 {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw systemError(path) }
        defer { close(descriptor) }
        var written: Int64 = 0
        while true {
            let chunk: Data?
            do { chunk = try reader.readChunk() } catch { throw .archive(error) }
            guard let chunk else { return written }
            written += Int64(chunk.count)
            if written > budget { throw .tooLarge(entry: entryName, limit: limit) }
            try writeAll(chunk, to: descriptor, path: path)
        }
    }

    private static func writeAll(
        _ data: Data, to descriptor: Int32, path: String
    ) throws(ZipOperationError) {
        var offset = 0
        while offset < data.count {
            let count = data.withUnsafeBytes { buffer in
                write(descriptor, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
            }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw systemError(path) }
            offset += count
        }
    }

    private static func prepareEmptyDirectory(_ path: String) throws(ZipOperationError) {
        let contents = try? FileManager.default.contentsOfDirectory(atPath: path)
        if let contents {
            guard contents.isEmpty else {
                throw .fileSystem(path: path, message: "extraction target is not empty")
            }
            return
        }
        try makeDirectory(path)
    }

    private static func makeDirectory(_ path: String) throws(ZipOperationError) {
        do {
            try FileManager.default.createDirectory(
                atPath: path, withIntermediateDirectories: true)
        } catch {
            throw .fileSystem(path: path, message: "\(error)")
        }
    }

    private static func removeContents(of path: String) {
        let children = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        for child in children {
            try? FileManager.default.removeItem(atPath: path + "/" + child)
        }
    }

    /// The message for the current `errno`, read before anything else can
    /// change it.
    static func systemError(_ path: String) -> ZipOperationError {
        .fileSystem(path: path, message: String(cString: strerror(errno)))
    }
}
