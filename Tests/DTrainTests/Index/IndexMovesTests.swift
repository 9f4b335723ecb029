import Foundation
import GitKit
import Testing

@testable import DTrainCore

/// The index moves between any two commits by a tree diff — forwards, back, or sideways onto
/// a remote tip during a replay — and always answers as a rebuild from scratch would.
@Suite("Index moves between commits")
struct IndexMovesTests {
    struct Answers: Equatable {
        var jobs: [JobSummary]
        var balances: [String]
    }

    static func answers(_ index: SpoolIndex) throws -> Answers {
        Answers(
            jobs: try index.jobs(),
            balances: try index.balances().filter { $0.balance != 0 }
                .map { "\($0.account)=\($0.balance)" })
    }

    /// What a fresh index built straight at `snapshot` says.
    static func fresh(_ spool: Spool, at snapshot: SpoolSnapshot) throws -> Answers {
        let directory = try TemporaryDirectory("fresh-index")
        let index = try SpoolIndex(
            path: directory.file("index.sqlite"), repository: spool.repository)
        try index.sync(to: snapshot)
        return try answers(index)
    }

    @Test("a replay onto a moved remote tip updates the index without a rebuild, exactly")
    func sideways() throws {
        let shared = try SharedSpool()
        try shared.admin.credit(user: "ann", amount: 50_000, memo: nil, actor: "admin")
        try shared.admin.sync()
        let laptop = try shared.clone("laptop")
        let other = try shared.clone("other")
        let zip = try JobZips.sklearnZip(in: shared.directory)

        // The laptop works offline; someone else moves the remote meanwhile.
        let mine = try laptop.submit(
            zipAt: zip, options: SubmitOptions(mainScript: "train.py"), actor: "ann")
        try laptop.publish(job: mine.id, actor: "ann")
        _ = try laptop.index()
        let theirs = try other.submit(
            zipAt: zip, options: SubmitOptions(mainScript: "train.py"), actor: "ann")
        try other.publish(job: theirs.id, actor: "ann")
        try other.cancel(job: theirs.id, actor: "ann", reason: nil)
        try other.sync()

        let report = try laptop.sync()
        #expect(report.dropped.isEmpty)
        let moved = try Self.answers(laptop.index())
        #expect(moved == (try Self.fresh(laptop, at: laptop.snapshot())))
        #expect(moved.jobs.count == 2)
    }

    @Test("moving back to an older commit takes rows out again")
    func backwards() throws {
        let directory = try TemporaryDirectory("index-back")
        let spool = try Spool.create(at: directory.file("spool"), config: .standard, actor: "admin")
        try spool.credit(user: "ann", amount: 10_000, memo: nil, actor: "admin")
        let early = try spool.snapshot()
        let zip = try JobZips.sklearnZip(in: directory)
        let job = try spool.submit(
            zipAt: zip, options: SubmitOptions(mainScript: "train.py"), actor: "ann")
        try spool.publish(job: job.id, actor: "ann")
        try spool.cancel(job: job.id, actor: "ann", reason: nil)

        let index = try spool.index()
        #expect(try index.jobs().count == 1)
        try index.sync(to: early)
        #expect(try Self.answers(index) == (try Self.fresh(spool, at: early)))
        #expect(try index.jobs().isEmpty)
        #expect(try index.balance(.user("ann")) == 10_000)
        try index.sync(to: spool.snapshot())
        #expect(try Self.answers(index) == (try Self.fresh(spool, at: spool.snapshot())))
    }
}
