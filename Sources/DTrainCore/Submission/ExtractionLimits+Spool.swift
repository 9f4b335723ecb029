import ArchiveKit

extension SpoolConfig.Limits {
    /// The caps the worker passes to `ZipExtractor.safeExtract`, the same ones
    /// `PackageValidator` applied when the job was submitted.
    public var extraction: ExtractionLimits {
        ExtractionLimits(maxEntries: maxEntries, maxUncompressedBytes: maxUncompressedBytes)
    }
}
