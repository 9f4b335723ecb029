import ArchiveKit
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Checks a job ZIP before anything about it is written to the spool.
///
/// The file is read once, into memory (it is capped by the spool's ZIP limit),
/// and those very bytes are both scanned and stored: a ZIP rewritten on disk
/// during a submit cannot slip past the checks or the price. The scan
/// (`ZipScan`) refuses hostile entries, bombs and over-long archives while
/// inflating, and extracts nothing. Then the root folder, the main script and
/// the requirements files are worked out from what was seen.
public enum PackageValidator {
    public static func validate(
        zipAt path: String, mainScript: String, limits: SpoolConfig.Limits
    ) throws(SubmissionError) -> JobPackage {
        // The file itself, before libarchive sees a byte of it.
        _ = try checkFile(path, limit: limits.maxZipBytes)
        let zip = try readFile(path, limit: limits.maxZipBytes)
        let main = normalizedMain(mainScript)
        let scan = try ZipScan(zip: zip, path: path, mainScript: main, limits: limits)
        guard !scan.files.isEmpty else { throw .empty }
        try checkNoFileIsAFolder(scan)

        // One folder wrapping everything is the root, unless the main script
        // was given with that folder in its path.
        let wrapper = wrappingFolder(scan)
        let root = wrapper.map { scan.files[main] == nil ? $0 + "/" : "" } ?? ""
        var files: [String: Int64] = [:]
        for (path, size) in scan.files { files[String(path.dropFirst(root.count))] = size }

        // The main script: present, kept, and UTF-8 text.
        guard files[main] != nil else {
            let candidates = files.keys.filter { $0.hasSuffix(".py") }.sorted()
            throw .mainScriptMissing(
                mainScript: main, root: root, candidates: Array(candidates.prefix(5)))
        }
        if scan.oversized.contains(root + main) {
            throw .mainScriptTooLarge(mainScript: main, limit: ZipScan.maxMainScriptBytes)
        }
        guard let mainData = scan.kept[root + main],
            let mainSource = String(data: mainData, encoding: .utf8),
            !mainData.contains(0)
        else { throw .mainScriptNotText(mainScript: main) }

        return JobPackage(
            root: root, files: files, ignored: scan.ignored, mainScript: main,
            mainSource: mainSource, requirements: requirementTexts(scan, root: root),
            zip: zip, totalInflated: scan.totalInflated)
    }

    /// At most `limit` bytes: a file that grew since `checkFile` is refused, not cut.
    private static func readFile(_ path: String, limit: Int64) throws(SubmissionError) -> Data {
        let data: Data?
        do {
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            data = try handle.read(upToCount: Int(limit) + 1)
        } catch {
            throw .unreadable(path: path, reason: "\(error.localizedDescription)")
        }
        let zip = data ?? Data()
        guard zip.count <= limit else { throw .zipTooLarge(bytes: Int64(zip.count), limit: limit) }
        return zip
    }

    /// Size check by `stat`, so an oversized upload is refused unread.
    private static func checkFile(_ path: String, limit: Int64) throws(SubmissionError) -> Int64 {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .fileNotFound(path: path)
        }
        guard !isDirectory.boolValue else {
            throw .unreadable(path: path, reason: "it is a folder; zip it first")
        }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw .unreadable(path: path, reason: "permission denied")
        }

        // A pipe (`/dev/stdin`, `<(curl …)`) can be read once only: the scan
        // would consume it and the stored payload would be empty. Its size is
        // unknown too. `stat` follows the `/dev/stdin` symlink.
        var status = stat()
        guard stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            throw .unreadable(
                path: path,
                reason: "it is not a regular file (a pipe or a device); save the ZIP "
                    + "to a file first")
        }
        let size = Int64(status.st_size)
        guard size <= limit else { throw .zipTooLarge(bytes: size, limit: limit) }
        return size
    }

    /// `a` and `a/b` cannot both be unpacked; refuse now rather than fail on
    /// the worker.
    private static func checkNoFileIsAFolder(_ scan: ZipScan) throws(SubmissionError) {
        for path in scan.files.keys.sorted() {
            var folder = Substring(path)
            while let slash = folder.lastIndex(of: "/") {
                folder = folder[..<slash]
                if scan.files[String(folder)] != nil { throw .fileUsedAsFolder(String(folder)) }
            }
        }
    }

    /// `./train.py` and `train.py` are the same script.
    private static func normalizedMain(_ mainScript: String) -> String {
        mainScript.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
    }

    /// The folder every file and folder sits in, if there is exactly one and no
    /// file lies beside it.
    private static func wrappingFolder(_ scan: ZipScan) -> String? {
        let paths = Array(scan.files.keys) + Array(scan.directories)
        guard scan.files.keys.allSatisfy({ $0.contains("/") }) else { return nil }
        let tops = Set(paths.map { $0.split(separator: "/")[0] })
        return tops.count == 1 ? tops.first.map(String.init) : nil
    }

    /// The root's `requirements*.txt` and every kept file they reach by `-r`,
    /// keyed relative to the root. Includes that escape or are missing are
    /// left for pricing to report.
    private static func requirementTexts(_ scan: ZipScan, root: String) -> [String: String] {
        var texts: [String: String] = [:]
        for (path, data) in scan.kept where path.hasPrefix(root) {
            let relative = String(path.dropFirst(root.count))
            if let text = String(data: data, encoding: .utf8) { texts[relative] = text }
        }
        var reached: [String: String] = [:]
        var pending = texts.keys.filter(JobPackage.isRootRequirementsFile).sorted()
        while let next = pending.popLast() {
            guard reached[next] == nil, let text = texts[next] else { continue }
            reached[next] = text
            pending += RequirementsParser.includeTargets(in: text, from: next)
        }
        return reached
    }
}
