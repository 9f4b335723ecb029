/// Why `ZipExtractor.safeExtract` or `ZipWriter.zipDirectory` stopped.
public enum ZipOperationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// libarchive could not read or write the ZIP (corrupt, truncated, not a
    /// ZIP).
    case archive(ArchiveError)
    /// An entry broke the rules of `ZipEntryPolicy`; carries the entry's stored
    /// name.
    case rejected(entry: String, EntryRejection)
    case duplicateEntry(String)
    case tooManyEntries(limit: Int)
    /// The real inflated bytes passed the cap while reading this entry.
    case tooLarge(entry: String, limit: Int64)
    /// The local file system refused: carries the path and the system's
    /// message.
    case fileSystem(path: String, message: String)

    public var description: String {
        switch self {
        case .archive(let error): "the ZIP could not be read: \(error.message)"
        case .rejected(let entry, let why): "entry '\(entry)' \(why)"
        case .duplicateEntry(let entry): "entry '\(entry)' appears more than once"
        case .tooManyEntries(let limit): "the ZIP has more than \(limit) entries"
        case .tooLarge(let entry, let limit):
            "the ZIP inflates to more than \(limit) bytes (passed while reading '\(entry)')"
        case .fileSystem(let path, let message): "\(path): \(message)"
        }
    }
}

/// Caps on what an untrusted ZIP may unpack to.
public struct ExtractionLimits: Sendable, Equatable {
    public var maxEntries: Int
    /// Counted on the bytes really inflated, not on what headers claim.
    public var maxUncompressedBytes: Int64

    public init(maxEntries: Int, maxUncompressedBytes: Int64) {
        self.maxEntries = maxEntries
        self.maxUncompressedBytes = maxUncompressedBytes
    }
}
