/// What one logical line of a requirements file turned out to be.
enum RequirementLine: Equatable {
    /// `-r file` / `--requirement file`, target as written.
    case include(String)
    /// A package; `notes` are warnings about parts that were skipped (per-line
    /// options such as `--hash`, a URL it installs from).
    case requirement(
        name: String, extras: [String], specifier: String, marker: String?,
        notes: [String])
    /// Nothing to price; the text says why, for the warnings list.
    case ignored(String)
}

extension RequirementsParser {
    /// Options pip accepts in a requirements file that do not name packages.
    private static let knownOptions: Set<String> = [
        "-i", "--index-url", "--extra-index-url", "--no-index", "-f", "--find-links",
        "--pre", "--trusted-host", "--prefer-binary", "--require-hashes", "--only-binary",
        "--no-binary", "--use-feature", "--hash", "--config-settings", "--global-option",
    ]

    /// Classifies one logical line (comments already cut, not blank).
    static func classify(_ text: String) -> RequirementLine {
        if text.hasPrefix("-") { return classifyOption(text) }

        // pip stops the requirement at the first token that is an option.
        let tokens = text.split(whereSeparator: \.isWhitespace)
        let optionStart = tokens.firstIndex { $0.hasPrefix("-") } ?? tokens.endIndex
        let requirement = tokens[..<optionStart].joined(separator: " ")
        var notes: [String] = []
        if optionStart < tokens.endIndex {
            var options: [String] = []
            for token in tokens[optionStart...] where token.hasPrefix("-") {
                let option = String(token.prefix { $0 != "=" })
                if !options.contains(option) { options.append(option) }
            }
            notes.append("per-requirement option \(options.joined(separator: " ")) ignored")
        }
        return classifyRequirement(requirement, notes: notes)
    }

    private static func classifyOption(_ text: String) -> RequirementLine {
        let (option, value) = splitOption(text)
        switch option {
        case "-r", "--requirement":
            if value.isEmpty { return .ignored("'\(option)' without a file name ignored") }
            if value.contains("://") {
                return .ignored("requirements file from a URL not fetched: \(value)")
            }
            return .include(value)
        case "-c", "--constraint":
            return .ignored("constraints file '\(value)' ignored (it adds no packages)")
        case "-e", "--editable":
            return .ignored("editable install '\(value)' ignored (a path or URL)")
        case _ where knownOptions.contains(option):
            return .ignored("pip option '\(option)' ignored")
        default:
            return .ignored("unknown pip option '\(option)' ignored")
        }
    }

    /// `-rfile`, `-r file`, `--requirement=file`, `--requirement file`.
    private static func splitOption(_ text: String) -> (option: String, value: String) {
        if text.hasPrefix("--") {
            let end = text.firstIndex { $0 == "=" || $0.isWhitespace } ?? text.endIndex
            let value = text[end...].drop { $0 == "=" || $0.isWhitespace }
            return (String(text[..<end]), String(value).pipTrimmed())
        }
        let option = String(text.prefix(2))
        return (option, String(text.dropFirst(2)).pipTrimmed())
    }

    /// A PEP 508 requirement, a `name @ url`, or a bare URL or path.
    private static func classifyRequirement(
        _ text: String, notes: [String]
    ) -> RequirementLine {
        var notes = notes
        var nameAndRest = text

        // `name[extras] @ url`: the name counts, the URL is noted.
        if let at = text.firstIndex(of: "@"), !text[..<at].contains("/") {
            notes.append("installed from a URL: \(text[text.index(after: at)...])")
            nameAndRest = String(text[..<at]).pipTrimmed()
        } else if looksLikeURLOrPath(text) {
            guard let egg = eggName(text) else {
                return .ignored("URL or path '\(text)' names no package; ignored")
            }
            notes.append("installed from a URL or path: \(text)")
            nameAndRest = egg
        }

        let pattern = /([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[([^\]]*)\])?\s*(.*)/
        guard let match = nameAndRest.wholeMatch(of: pattern) else {
            return .ignored("cannot read '\(text)' as a requirement; ignored")
        }
        let extras = (match.2 ?? "").split(separator: ",")
            .map { normalize(String($0).pipTrimmed()) }.filter { !$0.isEmpty }

        // Specifier before `;`, environment marker after it.
        let rest = String(match.3)
        let semicolon = rest.firstIndex(of: ";")
        let specifier = String(rest[..<(semicolon ?? rest.endIndex)]).pipTrimmed()
        let marker = semicolon.map { String(rest[rest.index(after: $0)...]).pipTrimmed() }
        if let first = specifier.first, !"=<>!~(".contains(first) {
            return .ignored("'\(text)': '\(specifier)' is not a version specifier; ignored")
        }
        return .requirement(
            name: normalize(String(match.1)), extras: extras, specifier: specifier,
            marker: marker, notes: notes)
    }

    private static func looksLikeURLOrPath(_ text: String) -> Bool {
        let lower = text.lowercased()
        return text.hasPrefix(".") || text.hasPrefix("/") || text.hasPrefix("~")
            || lower.contains("://") || lower.hasPrefix("file:")
            || [".whl", ".tar.gz", ".zip", ".tgz"].contains { lower.hasSuffix($0) }
    }

    /// The `#egg=name` a URL may carry.
    private static func eggName(_ text: String) -> String? {
        guard let range = text.range(of: "#egg=") else { return nil }
        let name = text[range.upperBound...].prefix { $0 != "&" && !$0.isWhitespace }
        return name.isEmpty ? nil : String(name)
    }
}
