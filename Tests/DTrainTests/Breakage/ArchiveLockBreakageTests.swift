import Foundation
import Testing

/// A stale ref lock on the remote's archive ref (`refs/dtrain/archive/YYYY-MM.lock`,
/// left by a `dtrain gc` or `git` killed with SIGKILL while it moved that ref).
///
/// Found by hand (breaker4): `dtrain gc --older-than 0` spins for about 17 s
/// against a lock nobody holds, then prints "folded 1 job(s) into archives"
/// although nothing was folded, and "kept refs/dtrain/payloads/JOB:
/// refs/dtrain/archive/2026-12 kept moving; the next gc tries again", although
/// nothing moved it. The lock is not named, so the next gc (and every idle
/// worker's fold) spins the same way until it is a minute old. The same lock
/// on `refs/heads/main` is named at once ("… main.lock locked (for 1 s) …
/// remove the file"), as the README promises for every ref lock.
@Suite("breakage: a stale lock on the remote's archive ref")
struct ArchiveLockBreakageTests {
    @Test("gc names a young archive ref lock instead of spinning on it")
    func archiveLockIsNamed() throws {
        let made = try PublishedSpool("brk-arch-lock")
        let (directory, remote, spool) = (made.directory, made.remote, made.spool)
        let credited = try Processes.dtrain(["credit", "admin", "100"], spool: spool)
        try #require(credited.status == 0, "\(credited.stderr)")
        let folder = directory.file("job")
        try FileManager.default.createDirectory(
            atPath: folder, withIntermediateDirectories: true)
        try Data("print('hi')\n".utf8).write(to: URL(fileURLWithPath: folder + "/main.py"))
        let submitted = try Processes.dtrain(
            ["submit", folder, "--main", "main.py", "--json"], spool: spool)
        try #require(submitted.status == 0, "\(submitted.stderr)")
        let json = submitted.stdout
        let id = try #require(
            json.split(separator: "\n").first { $0.contains("\"id\" : ") }.map {
                String($0.split(separator: "\"")[3])
            })
        let published = try Processes.dtrain(["publish", id], spool: spool)
        try #require(published.status == 0, "\(published.stderr)")
        let cancelled = try Processes.dtrain(["cancel", id], spool: spool)
        try #require(cancelled.status == 0, "\(cancelled.stderr)")

        let month = String(id.prefix(4)) + "-" + String(id.dropFirst(4).prefix(2))
        let archives = remote + "/refs/dtrain/archive"
        try FileManager.default.createDirectory(
            atPath: archives, withIntermediateDirectories: true)
        let lock = archives + "/" + month + ".lock"
        try Data("0000000000000000000000000000000000000000\n".utf8).write(
            to: URL(fileURLWithPath: lock))

        let started = Date()
        let collected = try Processes.dtrain(["gc", "--older-than", "0"], spool: spool)
        let seconds = Date().timeIntervalSince(started)
        let said = collected.stdout + collected.stderr

        #expect(said.contains(month + ".lock"), "\(said)")
        #expect(!said.contains("kept moving"), "\(said)")
        #expect(seconds < 5, "spun \(seconds) s against a lock nobody holds")
    }
}
