import Foundation
import GitKit
import Testing

@testable import DTrainCore

/// A job's image is one argument of `docker create` on every worker.
///
/// Found by hand: `dtrain submit job.zip --main train.py --image --help` was
/// accepted; the worker's `docker image inspect --help` succeeded, so the image
/// counted as present, and `docker create ... --help python3 -c ...` printed
/// docker's help, which the worker took for a container id. The job was handed
/// back as a worker fault, 10 KB of docker help went into its record on
/// `main`, and the next worker did the same again, for ever. Any other
/// `-`-name reached docker as an option of the sandboxed container.
@Suite("breakage: Docker image names")
struct ImageNameBreakageTests {
    @Test(
        "submit refuses image names docker would misread, and writes nothing",
        arguments: ["--help", "--privileged", "-v=/:/host", "", "a b", "Ubuntu", "x:", "/x"])
    func submitRefuses(image: String) throws {
        let directory = try TemporaryDirectory("brk-image")
        let spool = directory.file("spool")
        let created = try Processes.dtrain(["init", spool, "--as", "admin"])
        try #require(created.status == 0, "\(created.stderr)")
        let before = try Processes.git(["--git-dir", spool + "/.git", "rev-parse", "main"])

        let zip = try JobZips.sklearnZip(in: directory)
        let submitted = try Processes.dtrain(
            ["submit", zip, "--main", "train.py", "--image=" + image], spool: spool, as: "admin")
        #expect(submitted.status == 4, "'\(image)': \(submitted.stdout)\(submitted.stderr)")
        #expect(submitted.stderr.hasPrefix("dtrain: error: "))
        #expect(submitted.stderr.contains("not a Docker image name"), "\(submitted.stderr)")

        let after = try Processes.git(["--git-dir", spool + "/.git", "rev-parse", "main"])
        #expect(before.stdout == after.stdout)
        let refs = try Processes.git(["--git-dir", spool + "/.git", "for-each-ref", "refs/dtrain"])
        #expect(refs.stdout.isEmpty)
    }

    @Test(
        "real image names are accepted",
        arguments: [
            "python", "dtrain/python:bookworm", "registry.lab:5000/team/torch:2.3-cuda12.1",
            "localhost/x_y__z:Tag_1", "alpine@sha256:" + String(repeating: "ab", count: 32),
        ])
    func realNames(image: String) {
        #expect(ImageReference.isValid(image))
    }

    @Test("docker never reads the image as an option")
    func separatedFromOptions() throws {
        let spec = ContainerSpec(
            image: "--help", jobID: "job", attempt: 1, workspace: "/w", outputDirectory: "/o",
            wheelhouse: nil, mainScript: "train.py", cpus: nil, memoryBytes: nil, gpus: 0,
            timeoutSeconds: 60)
        let arguments = ContainerArguments.create(spec)
        let image = try #require(arguments.lastIndex(of: "--help"))
        #expect(arguments[image - 1] == "--")
    }

    @Test("a hand-made manifest with such an image fails the job, refunded, not looped")
    func workerFailsHostileManifest() throws {
        let shared = try SharedSpool(label: "brk-image-run")
        try shared.admin.credit(user: "alice", amount: 100_000, memo: nil, actor: "admin")
        try shared.admin.sync()
        let alice = try shared.clone("alice")
        let zip = try JobZips.sklearnZip(in: shared.directory)
        let honest = try alice.submit(
            zipAt: zip, options: SubmitOptions(mainScript: "train.py"), actor: "alice")

        // What a hostile client could commit without `dtrain submit`: the same
        // job under a new id, naming "--help" as its image.
        let id = Identifier.make()
        var manifest = honest.manifest
        manifest.id = id
        manifest.image = "--help"
        let draft = StateRecord(job: id, seq: 1, state: .draft, at: Timestamp.iso(), by: "alice")
        try alice.write(actor: "alice", message: "Submit job \(id)") { _ in
            [
                try alice.record(manifest, at: SpoolLayout.manifestPath(id)),
                try alice.record(try #require(honest.quote), at: SpoolLayout.quotePath(id)),
                try alice.record(draft, at: SpoolLayout.statePath(id, seq: 1, state: .draft)),
            ]
        }
        try alice.publish(job: id, actor: "alice")
        try alice.sync()

        let worker = try shared.clone("gpu-01")
        let summary = try WorkerLoop(
            spool: worker, worker: "gpu-01", stopRequested: { false }, log: { _ in }
        ).run(.init(once: true))
        #expect(summary.runs.map(\.state) == ["failed"])
        let record = try worker.snapshot().requireJob(id)
        #expect(record.state == .failed)
        #expect(record.records.last?.note?.contains("not a Docker image name") == true)
        #expect(try worker.index().balance(.escrow(job: id)) == 0)
        #expect(try worker.index().balance(.user("alice")) == 100_000)
    }
}
