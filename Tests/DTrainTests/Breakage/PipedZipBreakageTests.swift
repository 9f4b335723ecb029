import Foundation
import Testing

/// A ZIP handed over as a pipe: `curl … | dtrain submit /dev/stdin`.
///
/// Found by hand: `cat job.zip | dtrain submit /dev/stdin --main train.py`
/// said "Submitted". Validation had read the pipe to its end, so the payload
/// stored on the job's ref was the empty blob (e69de29…): the spool priced one
/// ZIP and kept none, and every worker would have failed the job. The size
/// limit was never applied either (a pipe has no size).
@Suite("breakage: ZIPs from pipes")
struct PipedZipBreakageTests {
    @Test("submit refuses a pipe and writes nothing")
    func pipeRefused() throws {
        let directory = try TemporaryDirectory("brk-pipe")
        let spool = directory.file("spool")
        let created = try Processes.dtrain(["init", spool, "--as", "admin"])
        try #require(created.status == 0, "\(created.stderr)")
        let zip = try JobZips.sklearnZip(in: directory)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: zip))

        let result = try Processes.run(
            Processes.dtrainPath,
            ["submit", "/dev/stdin", "--main", "train.py", "--spool", spool, "--as", "admin"],
            input: bytes)
        #expect(result.status == 4, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.hasPrefix("dtrain: error: cannot read /dev/stdin"))
        #expect(result.stderr.contains("not a regular file"))
        let refs = try Processes.git(["--git-dir", spool + "/.git", "for-each-ref", "refs/dtrain"])
        #expect(refs.stdout.isEmpty)

        // The same bytes from a file are fine.
        let fromFile = try Processes.dtrain(
            ["submit", zip, "--main", "train.py"], spool: spool, as: "admin")
        #expect(fromFile.status == 0, "\(fromFile.stderr)")
    }
}
