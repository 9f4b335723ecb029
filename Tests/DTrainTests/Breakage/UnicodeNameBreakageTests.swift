import ArchiveKit
import Foundation
import Testing

/// ZIPs whose names are not ASCII, as macOS Finder, Python's `zipfile` and
/// Windows make them: UTF-8 names with general-purpose flag bit 11 set.
///
/// Found by hand: `dtrain submit` refused such a ZIP with "entry '' has an
/// empty name". The process runs in the C locale, libarchive could not convert
/// the UTF-8 name to it, and the name came back NULL. Any job with a data file
/// called `données.csv` was refused, and the message pointed nowhere.
@Suite("breakage: non-ASCII names in ZIPs")
struct UnicodeNameBreakageTests {
    let directory: TemporaryDirectory
    let spool: String

    init() throws {
        directory = try TemporaryDirectory("brk-utf8")
        spool = directory.file("spool")
        let created = try Processes.dtrain(["init", spool, "--as", "admin"])
        try #require(created.status == 0, "\(created.stderr)")
    }

    static let files: [(String, String)] = [
        ("train.py", "print(open('données.csv').read())\n"),
        ("données.csv", "a,b\n1,2\n"),
        ("数据/说明.txt", "hello\n"),
    ]

    @Test("quote and submit accept UTF-8 names and count every file")
    func submitAcceptsUTF8Names() throws {
        let zip = directory.file("unicode.zip")
        try FlaggedZip.write(Self.files, to: zip)

        let quoted = try Processes.dtrain(["quote", zip, "--main", "train.py"], spool: spool)
        #expect(quoted.status == 0, "\(quoted.stderr)")
        let submitted = try Processes.dtrain(
            ["submit", zip, "--main", "train.py", "--json"], spool: spool, as: "admin")
        #expect(submitted.status == 0, "\(submitted.stderr)")
        let shown = try Processes.dtrain(["show", "--json", jobID(submitted)], spool: spool)
        #expect(shown.stdout.contains("\"files\" : 3"), "\(shown.stdout)")
    }

    @Test("a UTF-8 main script name is found")
    func unicodeMainScript() throws {
        let zip = directory.file("main.zip")
        try FlaggedZip.write([("entraîner.py", "print(1)\n")], to: zip)
        let quoted = try Processes.dtrain(["quote", zip, "--main", "entraîner.py"], spool: spool)
        #expect(quoted.status == 0, "\(quoted.stderr)")
    }

    @Test("the worker's extractor writes the same UTF-8 names")
    func extractorWritesUTF8Names() throws {
        let zip = directory.file("extract.zip")
        try FlaggedZip.write(Self.files, to: zip)
        let target = directory.file("unpacked")
        let summary = try ZipExtractor.safeExtract(
            zip: zip, into: target,
            limits: ExtractionLimits(maxEntries: 100, maxUncompressedBytes: 1 << 20))
        #expect(Set(summary.files.keys) == Set(Self.files.map(\.0)))
        let data = try Data(contentsOf: URL(fileURLWithPath: target + "/données.csv"))
        #expect(String(decoding: data, as: UTF8.self) == "a,b\n1,2\n")
    }

    func jobID(_ result: ProcessResult) throws -> String {
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        let fields = try #require(object as? [String: Any], "\(result.stdout)")
        return try #require(fields["id"] as? String)
    }
}

/// Writes a stored (uncompressed) ZIP by the book, every name UTF-8 with flag
/// bit 11 set: the form other tools produce and dtrain's own writer does not.
enum FlaggedZip {
    static func write(_ files: [(String, String)], to path: String) throws {
        var archive = Data()
        var central = Data()
        for (name, text) in files {
            let nameBytes = Data(name.utf8)
            let content = Data(text.utf8)
            let offset = UInt32(archive.count)
            let crc = crc32(content)
            archive.append(le32(0x0403_4b50))
            archive.append(contentsOf: le16(20) + le16(0x0800) + le16(0) + le16(0) + le16(0))
            archive.append(le32(crc) + le32(UInt32(content.count)) + le32(UInt32(content.count)))
            archive.append(le16(UInt16(nameBytes.count)) + le16(0))
            archive.append(nameBytes + content)

            central.append(le32(0x0201_4b50))
            central.append(contentsOf: le16(0x0314) + le16(20) + le16(0x0800) + le16(0))
            central.append(le16(0) + le16(0))
            central.append(le32(crc) + le32(UInt32(content.count)) + le32(UInt32(content.count)))
            central.append(le16(UInt16(nameBytes.count)) + le16(0) + le16(0) + le16(0) + le16(0))
            central.append(le32(0o100644 << 16) + le32(offset))
            central.append(nameBytes)
        }
        let centralOffset = UInt32(archive.count)
        archive.append(central)
        archive.append(le32(0x0605_4b50) + le16(0) + le16(0))
        archive.append(le16(UInt16(files.count)) + le16(UInt16(files.count)))
        archive.append(le32(UInt32(central.count)) + le32(centralOffset) + le16(0))
        try archive.write(to: URL(fileURLWithPath: path))
    }

    static func le16(_ value: UInt16) -> Data {
        Data([UInt8(value & 0xff), UInt8(value >> 8)])
    }

    static func le32(_ value: UInt32) -> Data {
        Data((0..<4).map { UInt8((value >> (8 * $0)) & 0xff) })
    }

    /// CRC-32 (IEEE, reflected), bit by bit: slow and obviously right.
    static func crc32(_ data: Data) -> UInt32 {
        var crc: UInt32 = 0xffff_ffff
        for byte in data {
            crc ^= UInt32(byte)
            for _ in 0..<8 {
                crc = crc & 1 == 1 ? (crc >> 1) ^ 0xedb8_8320 : crc >> 1
            }
        }
        return ~crc
    }
}
