/// Reads `requirements*.txt` the way pip does, from texts already taken out of
/// the ZIP (nothing is fetched, nothing touches the disk).
///
/// pip's order is kept: a UTF-8 BOM is dropped, lines are split on LF, CRLF or
/// CR, lines ending in `\` are joined with the next (unless the line is a
/// comment), comments (`#` at the start or after white space) are cut, then
/// each line is a pip option or a PEP 508 requirement. A line that cannot be
/// classified becomes a warning and never aborts: only `-r` includes that
/// escape the ZIP, are missing or form a cycle throw, because then the job's
/// dependencies are unknown.
public enum RequirementsParser {
    /// Parses `entryFiles` in order, following `-r` includes inside `files`
    /// (path relative to the package root → text). A file reached twice is read
    /// once.
    public static func parse(
        entryFiles: [String], files: [String: String]
    ) throws(RequirementsError) -> ParsedRequirements {
        var reader = IncludeWalker(files: files)
        for entry in entryFiles { try reader.read(entry, chain: []) }
        return reader.result
    }

    /// The `-r` targets of one file, resolved against it; those that escape the
    /// ZIP or are URLs are left out. Submission uses this to pick which files
    /// to keep from the ZIP before anything is priced.
    public static func includeTargets(in text: String, from path: String) -> [String] {
        logicalLines(text).compactMap { line in
            guard case .include(let target) = classify(line.text) else { return nil }
            return resolve(include: target, from: path)
        }
    }

    /// Resolves `target` relative to the folder of `includer`, as pip does for
    /// `-r`. Returns nil when it is absolute or climbs above the package root.
    public static func resolve(include target: String, from includer: String) -> String? {
        if target.hasPrefix("/") || target.contains("://") { return nil }
        var components = includer.split(separator: "/").map(String.init).dropLast()
        for part in target.split(separator: "/").map(String.init) {
            switch part {
            case ".": continue
            case "..":
                guard !components.isEmpty else { return nil }
                components.removeLast()
            default: components.append(part)
            }
        }
        return components.isEmpty ? nil : components.joined(separator: "/")
    }

    /// PEP 503: lower case, and every run of `-`, `_` or `.` becomes one `-`.
    public static func normalize(_ name: String) -> String {
        var result = ""
        var inSeparatorRun = false
        for character in name.lowercased() {
            if character == "-" || character == "_" || character == "." {
                if !inSeparatorRun { result.append("-") }
                inSeparatorRun = true
            } else {
                result.append(character)
                inSeparatorRun = false
            }
        }
        return result
    }

    /// pip's "logical lines": BOM dropped, continuations joined, comments cut,
    /// blanks skipped; each keeps the number of its first physical line.
    static func logicalLines(_ text: String) -> [(number: Int, text: String)] {
        var body = Substring(text)
        if body.first == "\u{FEFF}" { body = body.dropFirst() }
        let physical = body.split(
            omittingEmptySubsequences: false,
            whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })

        // Join `\` continuations; a comment line never continues.
        var joined: [(number: Int, text: String)] = []
        var pending: (number: Int, text: String)?
        for (index, raw) in physical.enumerated() {
            let line = String(raw)
            if line.hasSuffix("\\") && !isCommentLine(line) {
                let piece = String(line.dropLast())
                pending = pending.map { ($0.number, $0.text + piece) } ?? (index + 1, piece)
                continue
            }
            let text = isCommentLine(line) ? " " + line : line
            if let started = pending {
                joined.append((started.number, started.text + text))
                pending = nil
            } else {
                joined.append((index + 1, text))
            }
        }
        if let pending { joined.append(pending) }

        // Cut comments and drop what is left blank.
        return joined.compactMap { line in
            let text = stripComment(line.text).pipTrimmed()
            return text.isEmpty ? nil : (line.number, text)
        }
    }

    /// True when the line is only a comment (pip's `(^|\s+)#` anchored at the
    /// start), the one case where a trailing `\` does not continue.
    private static func isCommentLine(_ line: String) -> Bool {
        line.pipTrimmed().hasPrefix("#")
    }

    /// Removes `#…` when `#` starts the line or follows white space; a `#`
    /// inside a token (`pkg#egg=name` in a URL) is not a comment.
    static func stripComment(_ line: String) -> String {
        var previous: Character?
        for index in line.indices {
            let character = line[index]
            if character == "#" && (previous.map(\.isWhitespace) ?? true) {
                return String(line[..<index])
            }
            previous = character
        }
        return line
    }
}

extension StringProtocol {
    /// The text without leading and trailing white space (named to stay clear
    /// of other extensions in DTrainCore).
    func pipTrimmed() -> String {
        let start = firstIndex { !$0.isWhitespace } ?? endIndex
        let end = lastIndex { !$0.isWhitespace }.map { index(after: $0) } ?? start
        return start < end ? String(self[start..<end]) : ""
    }
}
