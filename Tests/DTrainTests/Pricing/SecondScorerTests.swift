import Foundation
import Testing

@testable import DTrainCore

@Suite("Second scorer (real shell scripts)")
struct SecondScorerTests {
    /// Writes an executable `/bin/sh` script into a fresh folder.
    static func script(_ body: String, in scratch: ZipScratch) throws -> String {
        let path = scratch.file("scorer.sh")
        try ("#!/bin/sh\n" + body + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes(
            [.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }

    static func run(
        _ body: String, timeout: Double = 10
    ) throws -> (SecondScorer.Outcome, Duration) {
        let scratch = try ZipScratch()
        defer { scratch.remove() }
        let scorer = SecondScorer(
            command: [try script(body, in: scratch), "--flag"], timeoutSeconds: timeout)
        let started = ContinuousClock.now
        let outcome = scorer.score(
            requirements: ["requirements.txt": "torch\n"], mainScript: "print(1)\n",
            mainPath: "train.py")
        return (outcome, ContinuousClock.now - started)
    }

    static func reason(_ outcome: SecondScorer.Outcome) -> String {
        if case .unavailable(let reason) = outcome { return reason }
        return "got a score: \(outcome)"
    }

    @Test("the program reads the job as JSON on stdin and its integer is the score")
    func readsStdin() throws {
        let body = """
            input=$(cat)
            [ "$1" = "--flag" ] || { echo 0; exit 0; }
            case "$input" in
              *'"main_path" : "train.py"'*'"main_script" : "print(1)\\n"'*) ;;
              *) echo 1; exit 0 ;;
            esac
            case "$input" in *'"requirements.txt" : "torch\\n"'*) echo 88 ;; *) echo 2 ;; esac
            """
        #expect(try Self.run(body).0 == .score(88))
    }

    @Test(
        "garbage, out-of-range and empty output give no score",
        arguments: ["echo lots", "echo 101", "echo -1", "true", "echo '42 points'"])
    func badOutput(body: String) throws {
        let reason = Self.reason(try Self.run(body).0)
        #expect(reason.contains("not an integer from 0 to 100"), "\(reason)")
    }

    @Test("a non-zero exit gives no score, quoting stderr")
    func nonZeroExit() throws {
        let reason = Self.reason(try Self.run("echo 'model not loaded' >&2; echo 99; exit 1").0)
        #expect(reason == "second scorer exited with status 1: model not loaded")
    }

    @Test("a program that sleeps past the timeout is terminated")
    func timeout() throws {
        let (outcome, elapsed) = try Self.run("exec sleep 30", timeout: 0.5)
        #expect(Self.reason(outcome).contains("no answer within 0.5s"))
        #expect(elapsed < .seconds(3))
    }

    @Test("children of a timed-out program are stopped with it")
    func childrenStopped() async throws {
        let scratch = try ZipScratch()
        defer { scratch.remove() }
        let pidFile = scratch.file("child.pid")
        let (outcome, elapsed) = try Self.run(
            "sleep 30 &\necho $! > \(pidFile)\nwait", timeout: 0.5)
        #expect(Self.reason(outcome).contains("no answer within"))
        // Foundation learns of an exit through a socket the child inherits, so
        // a surviving grandchild would also delay the answer until it ended.
        #expect(elapsed < .seconds(5))
        let pid = try String(contentsOfFile: pidFile, encoding: .utf8).pipTrimmed()
        #expect(!pid.isEmpty)

        // Gone, or a zombie waiting for init to reap it: either way not
        // running.
        try await Task.sleep(for: .milliseconds(300))
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        let state = stat.split(separator: ")").last?.split(separator: " ").first ?? "gone"
        #expect(stat.isEmpty || state == "Z", "child \(pid) still running: \(stat)")
    }

    @Test("a program that ignores SIGTERM is killed")
    func ignoresTerm() throws {
        let body = "trap '' TERM\nwhile :; do sleep 0.1; done"
        let (outcome, elapsed) = try Self.run(body, timeout: 0.5)
        #expect(Self.reason(outcome).contains("no answer within"))
        #expect(elapsed < .seconds(4))
    }

    @Test("a missing program gives no score rather than an error")
    func missingExecutable() {
        let scorer = SecondScorer(
            command: ["/nonexistent/scorer"], timeoutSeconds: 1)
        let outcome = scorer.score(requirements: [:], mainScript: "", mainPath: "train.py")
        #expect(Self.reason(outcome).contains("'/nonexistent/scorer' is not an executable"))
        let unnamed = SecondScorer(command: ["dtrain-no-such-scorer-on-path"], timeoutSeconds: 1)
        let reason = Self.reason(
            unnamed.score(requirements: [:], mainScript: "", mainPath: "x.py"))
        #expect(reason.contains("'dtrain-no-such-scorer-on-path' is not an executable"))
    }

    @Test("a program found on PATH by name runs")
    func pathLookup() {
        let scorer = SecondScorer(command: ["sh", "-c", "echo 5"], timeoutSeconds: 5)
        #expect(scorer.score(requirements: [:], mainScript: "", mainPath: "x.py") == .score(5))
    }
}
