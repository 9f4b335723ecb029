import ArchiveKit
import Foundation
import Testing

@Suite("ZIP reader and writer")
struct ZipReaderWriterTests {
    /// Every entry of a ZIP with its full data, read the streaming way.
    static func readAll(_ reader: ZipReader) throws -> [(ZipEntry, Data)] {
        var result: [(ZipEntry, Data)] = []
        while let entry = try reader.nextEntry() {
            var data = Data()
            while let chunk = try reader.readChunk(maxLength: 1000) { data.append(chunk) }
            result.append((entry, data))
        }
        return result
    }

    @Test("files, folders and streamed files round-trip through memory")
    func memoryRoundTrip() throws {
        let writer = try ZipWriter()
        try writer.addDirectory("proj/")
        try writer.addFile("proj/main.py", contents: Data("print('hi')\n".utf8))
        var produced = 0
        try writer.addFile("proj/big.bin", size: 5_000) {
            guard produced < 5_000 else { return nil }
            produced += 1_500
            return Data(repeating: 7, count: 1_500)
        }
        let zip = try writer.finishData()
        #expect(zip.prefix(2) == Data("PK".utf8))

        let entries = try Self.readAll(ZipReader(data: zip))
        #expect(entries.map(\.0.pathname) == ["proj/", "proj/main.py", "proj/big.bin"])
        #expect(entries.map(\.0.kind) == [.directory, .regular, .regular])
        #expect(entries[1].1 == Data("print('hi')\n".utf8))
        #expect(entries[2].1 == Data(repeating: 7, count: 5_000))
        #expect(entries[2].0.declaredSize == 5_000)
    }

    @Test("a ZIP written to disk reads back from its path")
    func diskRoundTrip() throws {
        let scratch = try ZipScratch()
        defer { scratch.remove() }
        let zipPath = scratch.file("out.zip")
        let writer = try ZipWriter(path: zipPath)
        try writer.addFile("a.txt", contents: Data("alpha".utf8))
        try writer.close()

        let entries = try Self.readAll(ZipReader(path: zipPath))
        #expect(entries.count == 1)
        #expect(entries.first?.1 == Data("alpha".utf8))
    }

    @Test("hostile names and symlinks are stored verbatim for tests to attack with")
    func hostileEntriesStored() throws {
        let writer = try ZipWriter()
        try writer.addFile("../escape.txt", contents: Data("x".utf8))
        try writer.addFile("/etc/evil", contents: Data("y".utf8))
        try writer.addSymlink("link", target: "/etc/passwd")
        let entries = try Self.readAll(ZipReader(data: writer.finishData()))
        #expect(entries.map(\.0.pathname) == ["../escape.txt", "/etc/evil", "link"])
        #expect(entries[2].0.kind == .symlink)
        #expect(entries[2].0.linkTarget == "/etc/passwd")
    }

    @Test("a file that is not a ZIP is refused by libarchive with its message")
    func notAZip() throws {
        let scratch = try ZipScratch()
        defer { scratch.remove() }
        try scratch.write("just some text, certainly not a zip\n", to: "notes.zip")
        let error = #expect(throws: ArchiveError.self) {
            let reader = try ZipReader(path: scratch.file("notes.zip"))
            _ = try reader.nextEntry()
        }
        // libarchive sniffs the format when opening, so the open itself fails.
        #expect(error?.function == "archive_read_open_filename")
        #expect(error?.message.contains("Unrecognized archive format") == true)
    }

    @Test("a ZIP cut in half fails while reading, not silently")
    func truncatedZip() throws {
        let writer = try ZipWriter()
        let noise = Data((0..<20_000).map { UInt8(truncatingIfNeeded: $0 &* 7919 >> 3) })
        try writer.addFile("a.bin", contents: noise)
        try writer.addFile("b.bin", contents: noise)
        let zip = try writer.finishData()
        #expect(throws: ArchiveError.self) {
            _ = try Self.readAll(ZipReader(data: zip.prefix(zip.count / 2)))
        }
    }

    @Test("a missing file names the C function that failed")
    func missingFile() {
        let error = #expect(throws: ArchiveError.self) {
            _ = try ZipReader(path: "/nonexistent/dir/x.zip")
        }
        #expect(error?.function == "archive_read_open_filename")
        #expect(error?.description.contains("archive_read_open_filename") == true)
    }
}
