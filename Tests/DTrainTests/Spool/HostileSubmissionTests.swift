import ArchiveKit
import Foundation
import GitKit
import Testing

@testable import DTrainCore

/// Hostile or broken ZIPs are refused at submission and leave the spool exactly as it was:
/// the same tip of main, no payload ref, the same balances.
@Suite("Hostile submissions leave the spool untouched")
struct HostileSubmissionTests {
    enum Hostile: String, CaseIterable, Sendable {
        case traversal, absolute, symlink, bomb, truncated, notAZip, empty, missingMain, linkedData
    }

    static func write(_ kind: Hostile, to path: String) throws {
        let main = Data("print('hi')\n".utf8)
        switch kind {
        case .traversal, .absolute, .symlink, .missingMain, .empty, .linkedData:
            let writer = try ZipWriter(path: path)
            switch kind {
            case .traversal: try writer.addFile("../evil.py", contents: main)
            case .absolute: try writer.addFile("/etc/evil.py", contents: main)
            case .symlink: try writer.addSymlink("train.py", target: "/etc/passwd")
            case .missingMain: try writer.addFile("other.py", contents: main)
            case .linkedData:
                try writer.addFile("train.py", contents: main)
                try writer.addSymlink("data", target: "../../outside")
            default: break
            }
            try writer.close()
        case .bomb:
            // 64 MiB of zeros squeeze into a few dozen KiB; the spool below allows 8 MiB.
            let writer = try ZipWriter(path: path)
            try writer.addFile("train.py", contents: main)
            let zeros = Data(count: 1 << 20)
            var left = 64
            try writer.addFile("data.bin", size: 64 << 20) {
                guard left > 0 else { return nil }
                left -= 1
                return zeros
            }
            try writer.close()
        case .truncated:
            try JobZips.write(JobZips.sklearn, to: path)
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: path))
        case .notAZip:
            try Data("#!/bin/sh\necho not a zip\n".utf8).write(to: URL(fileURLWithPath: path))
        }
    }

    @Test("refused, and nothing written", arguments: Hostile.allCases)
    func refused(kind: Hostile) throws {
        let directory = try TemporaryDirectory("hostile")
        var config = SpoolConfig.standard
        config.limits.maxUncompressedBytes = 8 << 20
        let spool = try Spool.create(at: directory.file("spool"), config: config, actor: "admin")
        try spool.credit(user: "alice", amount: 5_000, memo: nil, actor: "admin")
        let good = try spool.submit(
            zipAt: JobZips.sklearnZip(in: directory),
            options: SubmitOptions(mainScript: "train.py"), actor: "alice")
        let tip = try spool.snapshot().commit
        let refs = try spool.repository.references(glob: "refs/*").map(\.name)

        let zip = directory.file("\(kind.rawValue).zip")
        try Self.write(kind, to: zip)
        let started = Date()
        #expect(throws: (any Error).self) {
            _ = try spool.submit(
                zipAt: zip, options: SubmitOptions(mainScript: "train.py"), actor: "alice")
        }
        #expect(Date().timeIntervalSince(started) < 20)
        #expect(try spool.snapshot().commit == tip)
        #expect(try spool.repository.references(glob: "refs/*").map(\.name) == refs)
        #expect(try spool.index().balance(.user("alice")) == 5_000)
        #expect(try spool.snapshot().job(good.id)?.state == .draft)
    }
}
