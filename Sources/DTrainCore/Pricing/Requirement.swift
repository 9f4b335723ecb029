/// One package a requirements file asks for, as pip would read it.
public struct Requirement: Codable, Sendable, Equatable {
    /// PEP 503 normalised: lower case, runs of `-`, `_`, `.` made one `-`.
    public var name: String
    /// Extras in brackets (`transformers[torch]`), normalised the same way.
    public var extras: [String]
    /// Version specifiers as written, e.g. `>=2.0,<3`; empty when none.
    public var specifier: String
    /// The environment marker after `;`, kept as text and not evaluated: a
    /// package that installs only on some Pythons still tells what the job is.
    public var marker: String?
    /// The file (relative to the package root) and 1-based line it came from.
    public var file: String
    public var line: Int

    public init(
        name: String, extras: [String] = [], specifier: String = "", marker: String? = nil,
        file: String, line: Int
    ) {
        self.name = name
        self.extras = extras
        self.specifier = specifier
        self.marker = marker
        self.file = file
        self.line = line
    }

    /// `file:line` for evidence and warnings.
    public var location: String { "\(file):\(line)" }
}

/// All requirements reached from the entry files, with what was skipped.
public struct ParsedRequirements: Sendable, Equatable {
    public var requirements: [Requirement]
    /// Lines pip options or URLs the parser skipped, each with `file:line`.
    public var warnings: [String]
    /// Every file read, entry files and `-r` includes, in the order read.
    public var filesRead: [String]

    public init(requirements: [Requirement], warnings: [String], filesRead: [String]) {
        self.requirements = requirements
        self.warnings = warnings
        self.filesRead = filesRead
    }
}

/// A `-r` include that cannot be honoured. The submission is refused: a job
/// whose requirements cannot be read cannot be priced or run.
public enum RequirementsError: DTrainError, Equatable {
    case includeEscapes(file: String, line: Int, target: String)
    case includeMissing(file: String, line: Int, target: String)
    /// The chain of files, ending with the one that was already being read.
    case includeCycle(chain: [String])

    public var exitStatus: ExitStatus { .rejected }

    public var description: String {
        switch self {
        case .includeEscapes(let file, let line, let target):
            "\(file):\(line): '-r \(target)' points outside the ZIP; "
                + "include only files inside the job's folder"
        case .includeMissing(let file, let line, let target):
            "\(file):\(line): '-r \(target)' names a file that is not in the ZIP"
        case .includeCycle(let chain):
            "requirements files include each other in a cycle: "
                + chain.joined(separator: " -> ")
        }
    }
}
