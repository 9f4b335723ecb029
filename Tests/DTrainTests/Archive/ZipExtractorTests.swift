import ArchiveKit
import Foundation
import Testing

@Suite("Safe extraction and folder zipping")
struct ZipExtractorTests {
    static let limits = ExtractionLimits(maxEntries: 100, maxUncompressedBytes: 1 << 20)

    static func contents(_ directory: String) -> [String] {
        let names = FileManager.default.subpaths(atPath: directory) ?? []
        return names.sorted()
    }

    @Test("files and folders land inside the target; macOS junk is skipped")
    func extractsGoodZip() throws {
        let scratch = try ZipScratch()
        defer { scratch.remove() }
        let writer = try ZipWriter(path: scratch.file("job.zip"))
        try writer.addDirectory("proj/")
        try writer.addFile("proj/main.py", contents: Data("print(1)\n".utf8))
        try writer.addFile("proj/data/x.csv", contents: Data("1,2\n".utf8))
        try writer.addFile("__MACOSX/proj/._main.py", contents: Data("junk".utf8))
        try writer.close()

        let target = scratch.file("out")
        let summary = try ZipExtractor.safeExtract(
            zip: scratch.file("job.zip"), into: target, limits: Self.limits)
        #expect(summary.files == ["proj/main.py": 9, "proj/data/x.csv": 4])
        #expect(summary.ignored == ["__MACOSX/proj/._main.py"])
        #expect(Self.contents(target) == ["proj", "proj/data", "proj/data/x.csv", "proj/main.py"])
        let main = try String(contentsOfFile: target + "/proj/main.py", encoding: .utf8)
        #expect(main == "print(1)\n")
    }

    @Test(
        "hostile entries are refused, naming them, and nothing stays behind",
        arguments: ["../escape.txt", "/tmp/dtrain-abs-escape.txt", "symlink"])
    func refusesHostile(hostile: String) throws {
        let scratch = try ZipScratch()
        defer { scratch.remove() }
        let writer = try ZipWriter(path: scratch.file("bad.zip"))
        try writer.addFile("fine.py", contents: Data("ok".utf8))
        if hostile == "symlink" {
            try writer.addSymlink("link", target: "/etc/passwd")
        } else {
            try writer.addFile(hostile, contents: Data("pwned".utf8))
        }
        try writer.close()

        let target = scratch.file("out/inner")
        let error = #expect(throws: ZipOperationError.self) {
            try ZipExtractor.safeExtract(
                zip: scratch.file("bad.zip"), into: target, limits: Self.limits)
        }
        let named = hostile == "symlink" ? "link" : hostile
        #expect(error?.description.contains("'\(named)'") == true)
        #expect(Self.contents(target).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: scratch.file("out/escape.txt")))
        #expect(!FileManager.default.fileExists(atPath: "/tmp/dtrain-abs-escape.txt"))
    }

    @Test("a deflate bomb stops at the cap, quickly, and is not left on disk")
    func stopsBomb() throws {
        let scratch = try ZipScratch()
        defer { scratch.remove() }
        let writer = try ZipWriter(path: scratch.file("bomb.zip"))
        let zeros = Data(count: 1 << 20)
        try writer.addFile("zeros.bin", size: 64 << 20) { zeros }
        try writer.close()

        let started = ContinuousClock.now
        let error = #expect(throws: ZipOperationError.self) {
            try ZipExtractor.safeExtract(
                zip: scratch.file("bomb.zip"), into: scratch.file("out"), limits: Self.limits)
        }
        #expect(error == .tooLarge(entry: "zeros.bin", limit: 1 << 20))
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(Self.contents(scratch.file("out")).isEmpty)
    }

    @Test("too many entries are refused")
    func tooManyEntries() throws {
        let scratch = try ZipScratch()
        defer { scratch.remove() }
        let writer = try ZipWriter(path: scratch.file("many.zip"))
        for index in 0..<5 { try writer.addFile("f\(index)", contents: Data()) }
        try writer.close()
        let limits = ExtractionLimits(maxEntries: 4, maxUncompressedBytes: 1 << 20)
        #expect(throws: ZipOperationError.tooManyEntries(limit: 4)) {
            try ZipExtractor.safeExtract(
                zip: scratch.file("many.zip"), into: scratch.file("out"), limits: limits)
        }
    }

    @Test("a target that already holds files is refused")
    func nonEmptyTarget() throws {
        let scratch = try ZipScratch()
        defer { scratch.remove() }
        try scratch.write("keep me", to: "out/existing.txt")
        let writer = try ZipWriter(path: scratch.file("a.zip"))
        try writer.addFile("a", contents: Data())
        try writer.close()
        #expect(throws: ZipOperationError.self) {
            try ZipExtractor.safeExtract(
                zip: scratch.file("a.zip"), into: scratch.file("out"), limits: Self.limits)
        }
        #expect(FileManager.default.fileExists(atPath: scratch.file("out/existing.txt")))
    }

    @Test("zipDirectory stores files and folders, skips symlinks, honours the cap")
    func zipsDirectory() throws {
        let scratch = try ZipScratch()
        defer { scratch.remove() }
        try scratch.write("model weights", to: "output/model.bin")
        try scratch.write("epoch,loss\n1,0.5\n", to: "output/logs/metrics.csv")
        try Data(count: 50_000).write(to: URL(fileURLWithPath: scratch.file("output/huge.bin")))
        try FileManager.default.createSymbolicLink(
            atPath: scratch.file("output/passwd"), withDestinationPath: "/etc/passwd")

        let summary = try ZipWriter.zipDirectory(
            at: scratch.file("output"), to: scratch.file("out.zip"), maxBytes: 10_000)
        #expect(summary.storedFiles == ["logs/metrics.csv", "model.bin"])
        #expect(summary.omittedForSize == ["huge.bin"])
        #expect(summary.skippedNonRegular == ["passwd"])
        #expect(summary.isTruncated)
        #expect(summary.zipBytes > 0 && summary.zipBytes <= 10_000)

        // Read back what was really written.
        let reader = try ZipReader(path: scratch.file("out.zip"))
        var names: [String] = []
        while let entry = try reader.nextEntry() { names.append(entry.pathname) }
        #expect(names == ["logs/", "logs/metrics.csv", "model.bin"])
    }

    @Test("addFile(fromDisk:) streams a regular file and refuses a symlink")
    func addFromDisk() throws {
        let scratch = try ZipScratch()
        defer { scratch.remove() }
        try scratch.write("weights", to: "model.bin")
        try FileManager.default.createSymbolicLink(
            atPath: scratch.file("link"), withDestinationPath: scratch.file("model.bin"))
        let writer = try ZipWriter()
        try writer.addFile("model.bin", fromDisk: scratch.file("model.bin"))
        #expect(throws: ZipOperationError.self) {
            try writer.addFile("link", fromDisk: scratch.file("link"))
        }
        let reader = try ZipReader(data: writer.finishData())
        #expect(try reader.nextEntry()?.pathname == "model.bin")
        #expect(try reader.readChunk() == Data("weights".utf8))
        #expect(try reader.nextEntry() == nil)
    }
}
