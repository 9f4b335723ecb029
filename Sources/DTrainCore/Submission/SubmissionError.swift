import ArchiveKit

/// Why a job ZIP was refused. Each message names the file or entry at fault so
/// the submitter can fix the ZIP without guessing.
public enum SubmissionError: DTrainError, Equatable {
    case fileNotFound(path: String)
    case unreadable(path: String, reason: String)
    case zipTooLarge(bytes: Int64, limit: Int64)
    case notAZip(path: String, reason: String)
    /// Damaged or cut short; `entry` is where reading stopped, if known.
    case corrupt(entry: String?, reason: String)
    case empty
    case unsafeEntry(entry: String, EntryRejection)
    case duplicateEntry(String)
    /// A file whose name other entries use as a folder (`a` and `a/b`).
    case fileUsedAsFolder(String)
    case tooManyEntries(limit: Int)
    case tooLarge(entry: String, limit: Int64)
    /// `candidates` are a few `.py` files that do exist, relative to the root.
    case mainScriptMissing(mainScript: String, root: String, candidates: [String])
    case mainScriptNotText(mainScript: String)
    case mainScriptTooLarge(mainScript: String, limit: Int)
    /// `--image` that is not a Docker image reference (see `ImageReference`).
    case invalidImage(String)

    public var exitStatus: ExitStatus {
        if case .fileNotFound = self { return .notFound }
        return .rejected
    }

    public var description: String {
        switch self {
        case .fileNotFound(let path): "no such file: \(path)"
        case .unreadable(let path, let reason): "cannot read \(path): \(reason)"
        case .zipTooLarge(let bytes, let limit):
            "the ZIP is \(bytes) bytes; this spool accepts at most \(limit)"
        case .notAZip(let path, let reason): "\(path) is not a ZIP archive (\(reason))"
        case .corrupt(let entry?, let reason):
            "the ZIP is damaged or truncated (at entry '\(entry)'): \(reason)"
        case .corrupt(nil, let reason): "the ZIP is damaged or truncated: \(reason)"
        case .empty: "the ZIP contains no files"
        case .unsafeEntry(let entry, let why): "entry '\(entry)' \(why); refusing the ZIP"
        case .duplicateEntry(let entry): "entry '\(entry)' appears more than once in the ZIP"
        case .fileUsedAsFolder(let entry):
            "entry '\(entry)' is a file, but other entries are inside it as if it were a folder"
        case .tooManyEntries(let limit): "the ZIP has more than \(limit) entries"
        case .tooLarge(let entry, let limit):
            "the ZIP unpacks to more than \(limit) bytes "
                + "(the limit was passed inside '\(entry)')"
        case .mainScriptMissing(let main, let root, let candidates):
            "main script '\(main)' is not in the ZIP"
                + (root.isEmpty ? "" : " (looked inside '\(root)')")
                + (candidates.isEmpty
                    ? "; the ZIP has no .py files"
                    : "; .py files it has: " + candidates.joined(separator: ", "))
        case .mainScriptNotText(let main):
            "main script '\(main)' is not UTF-8 text"
        case .mainScriptTooLarge(let main, let limit):
            "main script '\(main)' is larger than \(limit) bytes"
        case .invalidImage(let image):
            "'\(image)' is not a Docker image name (e.g. dtrain/python:bookworm)"
        }
    }
}
