import Foundation

/// The `docker create` command line for a `ContainerSpec`: the whole sandbox in
/// one place.
///
/// Kept apart from `DockerExecutor` so the flags can be read and checked
/// without Docker. The container is created (not `run --rm`) so that it carries
/// its labels while it runs and a worker restarted after a crash can find it
/// with `containers(forJob:)`.
enum ContainerArguments {
    /// Labels that tie a container to its job; `containers(forJob:)` filters on
    /// the first.
    static let jobLabel = "dtrain.job"
    static let attemptLabel = "dtrain.attempt"

    /// The uid/gid the job runs as: the worker's own user when it is not root
    /// (so the worker can clean up what the job wrote), `nobody` when the
    /// worker is root.
    static var jobUser: (uid: UInt32, gid: UInt32) {
        let uid = getuid()
        return uid == 0 ? (65534, 65534) : (uid, getgid())
    }

    static func create(_ spec: ContainerSpec) -> [String] {
        let user = jobUser
        var arguments = [
            "create",
            "--name", spec.containerName,
            "--label", "\(jobLabel)=\(spec.jobID)",
            "--label", "\(attemptLabel)=\(spec.attempt)",

            // No network, no privileges, nothing writable but /tmp and /output.
            "--init",
            "--network", "none",
            "--read-only",
            "--tmpfs", "/tmp:rw,exec,nosuid,nodev,mode=1777,size=\(spec.scratchBytes)",
            "--cap-drop", "ALL",
            "--security-opt", "no-new-privileges",
            "--user", "\(user.uid):\(user.gid)",
            "--pids-limit", "\(spec.pidsLimit)",
            "--stop-timeout", "\(spec.graceSeconds)",

            // Docker's own copy of the log stays small; dtrain keeps the real
            // one.
            "--log-driver", "json-file",
            "--log-opt", "max-size=8m",
            "--log-opt", "max-file=1",

            "--mount", bind(spec.workspace, at: "/job", readOnly: true),
            "--mount", bind(spec.outputDirectory, at: "/output", readOnly: false),
            "--env", "DTRAIN_OUTPUT=/output",
            "--env", "PYTHONUNBUFFERED=1",
            "--env", "HOME=/tmp",
            "--workdir", "/tmp",
        ]
        if let wheelhouse = spec.wheelhouse {
            arguments += ["--mount", bind(wheelhouse, at: "/wheelhouse", readOnly: true)]
        }
        if let cpus = spec.cpus {
            arguments += ["--cpus", String(cpus)]
        }
        if let memory = spec.memoryBytes {
            arguments += ["--memory", "\(memory)", "--memory-swap", "\(memory)"]
        }
        if spec.gpus > 0 {
            arguments += ["--gpus", "\(spec.gpus)"]
        }
        // "--": whatever the image is called, docker never reads it as an option.
        arguments += ["--", spec.image, "python3", "-c", EntryScript.source, spec.mainScript]
        return arguments
    }

    /// A `--mount` value. Docker parses it as one CSV record, so a host path
    /// holding a comma or a quote is quoted CSV-style rather than silently
    /// split.
    static func bind(_ source: String, at target: String, readOnly: Bool) -> String {
        var field = "source=\(source)"
        if field.contains(",") || field.contains("\"") {
            field = "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return "type=bind,\(field),target=\(target)" + (readOnly ? ",readonly" : "")
    }
}
