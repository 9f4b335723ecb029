import ArchiveKit
import Foundation
import Testing

@testable import DTrainCore

@Suite("Job ZIP validation")
struct PackageValidatorTests {
    static let limits = SpoolConfig.standard.limits

    /// Writes a ZIP of `(name, text)` entries; names ending in `/` are folders.
    static func makeZip(_ path: String, _ entries: [(String, String)]) throws {
        let writer = try ZipWriter(path: path)
        for (name, text) in entries {
            if name.hasSuffix("/") {
                try writer.addDirectory(name)
            } else {
                try writer.addFile(name, contents: Data(text.utf8))
            }
        }
        try writer.close()
    }

    static func validate(
        _ entries: [(String, String)], main: String = "train.py",
        limits: SpoolConfig.Limits = limits
    ) throws -> JobPackage {
        let scratch = try ZipScratch()
        defer { scratch.remove() }
        try makeZip(scratch.file("job.zip"), entries)
        return try PackageValidator.validate(
            zipAt: scratch.file("job.zip"), mainScript: main, limits: limits)
    }

    static func rejection(
        _ entries: [(String, String)], main: String = "train.py",
        limits: SpoolConfig.Limits = limits
    ) throws -> SubmissionError? {
        #expect(throws: SubmissionError.self) {
            try validate(entries, main: main, limits: limits)
        }
    }

    @Test("a flat ZIP yields its files, main source and requirements")
    func flatZip() throws {
        let package = try Self.validate([
            ("train.py", "import torch\n"), ("requirements.txt", "torch\n"),
            ("data/x.csv", "1,2\n"),
        ])
        #expect(package.root == "")
        #expect(package.files == ["train.py": 13, "requirements.txt": 6, "data/x.csv": 4])
        #expect(package.mainSource == "import torch\n")
        #expect(package.requirements == ["requirements.txt": "torch\n"])
        #expect(package.totalInflated == 23)
        #expect(package.zipBytes > 0)
    }

    @Test("one wrapping folder is the root; macOS junk is ignored and reported")
    func wrappingFolderAndJunk() throws {
        let package = try Self.validate([
            ("proj/", ""), ("proj/train.py", "print(1)\n"), ("proj/.DS_Store", "junk"),
            ("__MACOSX/proj/._train.py", "junk"), ("proj/requirements.txt", "numpy\n"),
        ])
        #expect(package.root == "proj/")
        #expect(package.files.keys.sorted() == ["requirements.txt", "train.py"])
        #expect(package.ignored == ["proj/.DS_Store", "__MACOSX/proj/._train.py"])
        #expect(package.requirements.keys.sorted() == ["requirements.txt"])
    }

    @Test("a main script given with its folder keeps the root empty")
    func mainWithFolder() throws {
        let package = try Self.validate([("proj/train.py", "x = 1\n")], main: "./proj/train.py")
        #expect(package.root == "")
        #expect(package.mainScript == "proj/train.py")
    }

    @Test("requirements reached by -r are kept; other text files are not")
    func requirementClosure() throws {
        let package = try Self.validate([
            ("train.py", ""), ("requirements.txt", "-r deps/base.txt\n"),
            ("requirements-dev.txt", "pytest\n"), ("deps/base.txt", "-r ../common.txt\n"),
            ("common.txt", "numpy\n"), ("data/labels.txt", "cat\ndog\n"),
        ])
        #expect(
            package.requirements.keys.sorted() == [
                "common.txt", "deps/base.txt", "requirements-dev.txt", "requirements.txt",
            ])
    }

    @Test(
        "hostile entries are refused, naming the entry",
        arguments: ["../evil.py", "/etc/cron.d/evil", "proj/../../evil"])
    func hostilePaths(name: String) throws {
        let error = try Self.rejection([("train.py", ""), (name, "pwned")])
        #expect(error?.description.contains("'\(name)'") == true)
        #expect(error?.exitStatus == .rejected)
    }

    @Test("a symlink entry is refused, naming it and its target")
    func symlinkEntry() throws {
        let scratch = try ZipScratch()
        defer { scratch.remove() }
        let writer = try ZipWriter(path: scratch.file("job.zip"))
        try writer.addFile("train.py", contents: Data())
        try writer.addSymlink("data", target: "/etc")
        try writer.close()
        let error = #expect(throws: SubmissionError.self) {
            try PackageValidator.validate(
                zipAt: scratch.file("job.zip"), mainScript: "train.py", limits: Self.limits)
        }
        #expect(error == .unsafeEntry(entry: "data", .symlink(target: "/etc")))
        #expect(error?.description.contains("'data'") == true)
    }

    @Test("a 300 MB deflate bomb is refused quickly without writing anything")
    func deflateBomb() throws {
        let scratch = try ZipScratch()
        defer { scratch.remove() }
        let writer = try ZipWriter(path: scratch.file("bomb.zip"))
        try writer.addFile("train.py", contents: Data("print(1)\n".utf8))
        let zeros = Data(count: 4 << 20)
        try writer.addFile("weights.bin", size: 300 << 20) { zeros }
        try writer.close()
        let zipSize =
            try FileManager.default.attributesOfItem(
                atPath: scratch.file("bomb.zip"))[.size] as? Int ?? 0
        #expect(zipSize < 1 << 20, "the bomb should compress to well under 1 MiB")

        let started = ContinuousClock.now
        let error = #expect(throws: SubmissionError.self) {
            try PackageValidator.validate(
                zipAt: scratch.file("bomb.zip"), mainScript: "train.py", limits: Self.limits)
        }
        #expect(error == .tooLarge(entry: "weights.bin", limit: Self.limits.maxUncompressedBytes))
        #expect(ContinuousClock.now - started < .seconds(20))
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path) == ["bomb.zip"])
    }

    @Test("a truncated ZIP is reported as damaged")
    func truncated() throws {
        let scratch = try ZipScratch()
        defer { scratch.remove() }
        let noise = (0..<40_000).map { _ in UInt8.random(in: 0...255) }
        let writer = try ZipWriter()
        try writer.addFile("train.py", contents: Data(noise))
        try writer.addFile("other.py", contents: Data(noise))
        let zip = try writer.finishData()
        try zip.prefix(zip.count / 2).write(to: URL(fileURLWithPath: scratch.file("cut.zip")))
        let error = #expect(throws: SubmissionError.self) {
            try PackageValidator.validate(
                zipAt: scratch.file("cut.zip"), mainScript: "train.py", limits: Self.limits)
        }
        guard case .corrupt = error else {
            Issue.record("expected .corrupt, got \(String(describing: error))")
            return
        }
    }

    @Test("a file that is not a ZIP, and an empty ZIP, get their own errors")
    func notZipAndEmpty() throws {
        let scratch = try ZipScratch()
        defer { scratch.remove() }
        try scratch.write("print('I am a script, not a zip')\n", to: "train.zip")
        let notZip = #expect(throws: SubmissionError.self) {
            try PackageValidator.validate(
                zipAt: scratch.file("train.zip"), mainScript: "train.py", limits: Self.limits)
        }
        guard case .notAZip = notZip else {
            Issue.record("expected .notAZip, got \(String(describing: notZip))")
            return
        }

        try Self.makeZip(scratch.file("empty.zip"), [])
        #expect(throws: SubmissionError.empty) {
            try PackageValidator.validate(
                zipAt: scratch.file("empty.zip"), mainScript: "train.py", limits: Self.limits)
        }
        #expect(try Self.rejection([("__MACOSX/._x", "junk"), ("dir/", "")]) == .empty)
    }

    @Test("a missing main script lists .py files that exist")
    func missingMain() throws {
        let error = try Self.rejection([
            ("proj/model.py", ""), ("proj/utils.py", ""), ("proj/readme.md", ""),
        ])
        #expect(
            error
                == .mainScriptMissing(
                    mainScript: "train.py", root: "proj/", candidates: ["model.py", "utils.py"]))
        #expect(error?.description.contains("model.py, utils.py") == true)
    }

    @Test("a main script that is not UTF-8 text is refused")
    func binaryMain() throws {
        let scratch = try ZipScratch()
        defer { scratch.remove() }
        let writer = try ZipWriter(path: scratch.file("job.zip"))
        try writer.addFile("train.py", contents: Data([0xFF, 0xFE, 0x00, 0x41]))
        try writer.close()
        #expect(throws: SubmissionError.mainScriptNotText(mainScript: "train.py")) {
            try PackageValidator.validate(
                zipAt: scratch.file("job.zip"), mainScript: "train.py", limits: Self.limits)
        }
    }

    @Test("entry count, ZIP size and duplicate names are capped or refused")
    func limitsAndDuplicates() throws {
        var limits = Self.limits
        limits.maxEntries = 3
        let many = (0..<4).map { ("f\($0).py", "") }
        #expect(try Self.rejection(many, limits: limits) == .tooManyEntries(limit: 3))

        limits = Self.limits
        limits.maxZipBytes = 100
        let big = [("train.py", String(repeating: "x = 1\n", count: 10))]
        guard case .zipTooLarge(_, 100) = try Self.rejection(big, limits: limits) else {
            Issue.record("expected .zipTooLarge")
            return
        }
        let twice = [("train.py", "a"), ("./train.py", "b")]
        #expect(try Self.rejection(twice) == .duplicateEntry("./train.py"))
        let clash = [("train.py", ""), ("data", "x"), ("data/y.csv", "1")]
        #expect(try Self.rejection(clash) == .fileUsedAsFolder("data"))
    }

    @Test("a ZIP that does not exist is 'not found', not 'rejected'")
    func missingFile() {
        let error = #expect(throws: SubmissionError.self) {
            try PackageValidator.validate(
                zipAt: "/nonexistent/job.zip", mainScript: "train.py", limits: Self.limits)
        }
        #expect(error == .fileNotFound(path: "/nonexistent/job.zip"))
        #expect(error?.exitStatus == .notFound)
    }

    @Test("the worker's extraction writes exactly the files validation saw")
    func validationMatchesExtraction() throws {
        let scratch = try ZipScratch()
        defer { scratch.remove() }
        try Self.makeZip(
            scratch.file("job.zip"),
            [
                ("proj/", ""), ("proj/train.py", "import numpy\n"),
                ("proj/data/a.csv", "1,2,3\n"), ("proj/.DS_Store", "junk"),
                ("__MACOSX/proj/._train.py", "junk"),
            ])
        let package = try PackageValidator.validate(
            zipAt: scratch.file("job.zip"), mainScript: "train.py", limits: Self.limits)
        let summary = try ZipExtractor.safeExtract(
            zip: scratch.file("job.zip"), into: scratch.file("work"),
            limits: Self.limits.extraction)

        var extracted: [String: Int64] = [:]
        for (path, size) in summary.files {
            extracted[String(path.dropFirst(package.root.count))] = size
        }
        #expect(extracted == package.files)
        #expect(summary.ignored.sorted() == package.ignored.sorted())
        let onDisk = try String(
            contentsOfFile: scratch.file("work/proj/train.py"), encoding: .utf8)
        #expect(onDisk == package.mainSource)
    }
}
