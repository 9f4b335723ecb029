import Foundation

/// A ZIP that passed `PackageValidator`: its shape and the few texts pricing
/// needs. Nothing has been extracted; the worker unpacks the same ZIP later
/// with `ZipExtractor.safeExtract`, which applies the same entry rules.
public struct JobPackage: Sendable, Equatable {
    /// The single folder wrapping everything (`"proj/"`), or `""`.
    public var root: String
    /// Path relative to `root` → bytes it really inflated to.
    public var files: [String: Int64]
    /// Stored names of `__MACOSX/`, `._*` and `.DS_Store` entries, skipped.
    public var ignored: [String]
    /// Relative to `root`.
    public var mainScript: String
    /// The main script's text (valid UTF-8).
    public var mainSource: String
    /// Relative path → text: the root's `requirements*.txt` and every file they
    /// reach through `-r`.
    public var requirements: [String: String]
    /// The ZIP exactly as validated: what the spool stores, never re-read from disk.
    public var zip: Data
    public var totalInflated: Int64

    public var zipBytes: Int64 { Int64(zip.count) }

    public init(
        root: String, files: [String: Int64], ignored: [String], mainScript: String,
        mainSource: String, requirements: [String: String], zip: Data, totalInflated: Int64
    ) {
        self.root = root
        self.files = files
        self.ignored = ignored
        self.mainScript = mainScript
        self.mainSource = mainSource
        self.requirements = requirements
        self.zip = zip
        self.totalInflated = totalInflated
    }

    /// The root-level `requirements*.txt` files pricing starts from, sorted.
    public var requirementEntryFiles: [String] {
        requirements.keys.filter(Self.isRootRequirementsFile).sorted()
    }

    /// `requirements.txt`, `requirements-dev.txt`, `Requirements_GPU.txt`… at
    /// the package root.
    static func isRootRequirementsFile(_ path: String) -> Bool {
        let lower = path.lowercased()
        return !lower.contains("/") && lower.hasPrefix("requirements") && lower.hasSuffix(".txt")
    }
}
