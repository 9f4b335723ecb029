/// The small Python program every job container starts with, before the job's
/// own script.
///
/// It is passed on the command line (`python3 -c <source> <main>`), so the
/// image needs no dtrain file and the job's read-only workspace is never
/// touched. It:
/// 1. copies `/job` to `/tmp/job` and works there, since jobs often write next
///    to themselves and `/job` is read-only;
/// 2. checks each `requirements.txt` line against what the image has: the
///    name with `importlib.metadata`, the version specifiers and environment
///    markers with `packaging` (the image's own, or the copy inside pip); what
///    is missing or of the wrong version is installed with `pip --no-index
///    --find-links /wheelhouse --target /tmp/site` (which comes first on the
///    path) when a wheelhouse is mounted, otherwise it exits with
///    `missingRequirementExitCode`, naming the version the image has;
/// 3. `exec`s `python3 /tmp/job/<main>` so the job is the container's main
///    process (under `--init`) and its exit code is the container's.
// FIXME: an image with neither `packaging` nor pip has its requirements checked by
// name only, so `numpy==2.0` is taken as met by any numpy there.
// FIXME: the copy to /tmp/job costs tmpfs space (counted as the job's memory)
// equal to the workspace; a job with a large data set needs `scratchBytes`.
public enum EntryScript {
    /// The container exits with this when a requirement is neither in the image
    /// nor installable from the wheelhouse. 97 is outside what Python itself
    /// uses (1, 2) and below the 128+signal range, so a job can be told apart
    /// from a missing dependency.
    public static let missingRequirementExitCode: Int32 = 97

    /// Where the job's writable copy lives inside the container.
    public static let workingDirectory = "/tmp/job"

    /// The Python source; `sys.argv[1]` is the main script relative to `/job`.
    public static let source = """
        import importlib.metadata, os, re, shutil, subprocess, sys
        main = sys.argv[1]
        def say(message):
            print("dtrain-entry: " + message, file=sys.stderr, flush=True)
        shutil.copytree("/job", "\(workingDirectory)", symlinks=True)
        os.chdir("\(workingDirectory)")
        missing, reasons = [], []
        if os.path.isfile("requirements.txt"):
            try:
                from packaging.requirements import Requirement
            except ImportError:
                try:
                    from pip._vendor.packaging.requirements import Requirement
                except ImportError:
                    Requirement = None
            for line in open("requirements.txt", encoding="utf-8", errors="replace"):
                line = re.sub(r"(^|\\s)#.*", "", line).strip()
                if not line or line.startswith("-"):
                    continue
                wanted = None
                if Requirement is not None:
                    try:
                        wanted = Requirement(line)
                    except Exception:
                        wanted = None
                if wanted is not None and wanted.marker is not None \\
                        and not wanted.marker.evaluate():
                    continue
                name = wanted.name if wanted is not None else None
                if name is None:
                    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", line)
                    if not match:
                        continue
                    name = match.group(0)
                try:
                    have = importlib.metadata.version(name)
                except importlib.metadata.PackageNotFoundError:
                    missing.append(line)
                    reasons.append(line)
                    continue
                if wanted is not None and wanted.specifier \\
                        and not wanted.specifier.contains(have, prereleases=True):
                    missing.append(line)
                    reasons.append(line + " (the image has " + have + ")")
        if missing and not os.path.isdir("/wheelhouse"):
            say("requirement(s) the image does not meet and no wheelhouse mounted: "
                + ", ".join(reasons))
            sys.exit(\(missingRequirementExitCode))
        if missing:
            say("installing from /wheelhouse: " + ", ".join(missing))
            status = subprocess.call([sys.executable, "-m", "pip", "install", "--no-index",
                "--find-links", "/wheelhouse", "--target", "/tmp/site", "--no-cache-dir",
                "--disable-pip-version-check", "--quiet"] + missing, stdout=sys.stderr)
            if status != 0:
                say("could not install from the wheelhouse: " + ", ".join(missing))
                sys.exit(\(missingRequirementExitCode))
            os.environ["PYTHONPATH"] = "/tmp/site"
        script = os.path.join("\(workingDirectory)", main)
        if not os.path.isfile(script):
            say("main script /job/" + main + " does not exist")
            sys.exit(2)
        os.execv(sys.executable, [sys.executable, script] + sys.argv[2:])
        """
}
