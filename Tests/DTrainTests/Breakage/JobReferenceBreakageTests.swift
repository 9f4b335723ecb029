import Foundation
import Testing

/// What a careless script passes as a job: an empty variable, a SQL wildcard.
///
/// Found by hand: with one job in the spool, `dtrain cancel ""` (an unset
/// `$JOB`) and `dtrain cancel %` cancelled it, because the prefix match was a
/// SQL `LIKE` and an empty or wildcard-only text matched every id.
@Suite("breakage: job references")
struct JobReferenceBreakageTests {
    let directory: TemporaryDirectory
    let spool: String
    let job: String

    init() throws {
        directory = try TemporaryDirectory("brk-ref")
        spool = directory.file("spool")
        let created = try Processes.dtrain(["init", spool, "--as", "admin"])
        try #require(created.status == 0, "\(created.stderr)")
        let zip = try JobZips.sklearnZip(in: directory)
        let submitted = try Processes.dtrain(
            ["submit", zip, "--main", "train.py", "--json"], spool: spool, as: "admin")
        try #require(submitted.status == 0, "\(submitted.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(submitted.stdout.utf8))
        let fields = try #require(object as? [String: Any])
        job = try #require(fields["id"] as? String)
    }

    @Test("empty or wildcard references name no job", arguments: ["", "%", "_", "%%", "_%_"])
    func wildcards(reference: String) throws {
        let shown = try Processes.dtrain(["show", reference], spool: spool)
        #expect(shown.status == 3, "show '\(reference)' gave \(shown.status): \(shown.stdout)")
        #expect(shown.stderr.hasPrefix("dtrain: error: "))

        let cancelled = try Processes.dtrain(["cancel", reference], spool: spool, as: "admin")
        #expect(cancelled.status == 3, "\(cancelled.stdout)\(cancelled.stderr)")
        let state = try Processes.dtrain(["show", job, "--json"], spool: spool)
        #expect(state.stdout.contains("\"state\" : \"draft\""), "\(state.stdout)")
    }

    @Test("a wildcard inside a reference is a character, not a pattern")
    func wildcardInside() throws {
        let pattern = String(job.prefix(4)) + "%" + String(job.suffix(3))
        let shown = try Processes.dtrain(["show", pattern], spool: spool)
        #expect(shown.status == 3, "\(shown.stdout)")
        let underscore = String(job.dropLast()) + "_"
        #expect(try Processes.dtrain(["show", underscore], spool: spool).status == 3)
    }

    @Test("a reference of fewer than 4 characters names no job, even when one matches")
    func tooShort() throws {
        let cancelled = try Processes.dtrain(
            ["cancel", String(job.suffix(1))], spool: spool, as: "admin")
        #expect(cancelled.status == 2, "\(cancelled.stderr)")
        #expect(cancelled.stderr.contains("too short"), "\(cancelled.stderr)")
        let state = try Processes.dtrain(["show", job, "--json"], spool: spool)
        #expect(state.stdout.contains("draft"), "\(state.stdout)")
        #expect(!state.stdout.contains("cancelled"), "\(state.stdout)")
    }

    @Test("real prefixes, suffixes and whole ids still resolve")
    func realReferences() throws {
        for reference in [job, String(job.prefix(10)), String(job.suffix(6)), job.uppercased()] {
            let shown = try Processes.dtrain(["show", reference, "--json"], spool: spool)
            #expect(shown.status == 0, "'\(reference)': \(shown.stderr)")
            #expect(shown.stdout.contains(job))
        }
    }
}
