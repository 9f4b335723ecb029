/// Which Docker image names dtrain will hand to `docker`.
///
/// The image comes from the submitter (or a hand-edited `spool.json`) and ends
/// up as one argument of `docker create` on every worker. Anything starting
/// with `-` would be read there as an option (`--help`, `--privileged`), so
/// names are held to Docker's own reference grammar, simplified: optional
/// registry host and port, lower-case path components, an optional tag and an
/// optional sha256 digest.
public enum ImageReference {
    /// True for names like `dtrain/python:bookworm`, `python`,
    /// `registry.lab:5000/team/torch:2.3-cuda`, `alpine@sha256:<64 hex>`.
    public static func isValid(_ reference: String) -> Bool {
        guard (1...255).contains(reference.utf8.count), reference.allSatisfy(\.isASCII) else {
            return false
        }
        var name = Substring(reference)

        // Digest, then tag: a ':' after the last '/' starts the tag.
        if let at = name.firstIndex(of: "@") {
            guard isDigest(name[name.index(after: at)...]) else { return false }
            name = name[..<at]
        }
        let lastSlash = name.lastIndex(of: "/") ?? name.startIndex
        if let colon = name[lastSlash...].lastIndex(of: ":") {
            guard isTag(name[name.index(after: colon)...]) else { return false }
            name = name[..<colon]
        }

        // Path components; the first may be a registry host (with a port).
        var components = name.split(separator: "/", omittingEmptySubsequences: false)
        if components.count > 1, let first = components.first,
            first.contains(".") || first.contains(":") || first == "localhost"
        {
            guard isHost(first) else { return false }
            components.removeFirst()
        }
        return !components.isEmpty && components.allSatisfy(isPathComponent)
    }

    /// `[a-z0-9]+` runs joined by `.`, `_`, `__` or dashes.
    private static func isPathComponent(_ text: Substring) -> Bool {
        guard let first = text.first, let last = text.last, isLowerAlphanumeric(first),
            isLowerAlphanumeric(last)
        else { return false }
        return text.allSatisfy { isLowerAlphanumeric($0) || "._-".contains($0) }
            && !text.contains("..") && !text.contains("___")
    }

    private static func isHost(_ text: Substring) -> Bool {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let host = parts.first, let first = host.first,
            first.isLetter || first.isNumber,
            host.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" })
        else { return false }
        guard parts.count == 2 else { return true }
        return !parts[1].isEmpty && parts[1].count <= 5 && parts[1].allSatisfy(\.isNumber)
    }

    /// `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
    private static func isTag(_ text: Substring) -> Bool {
        guard let first = text.first, first.isLetter || first.isNumber || first == "_",
            text.count <= 128
        else { return false }
        return text.allSatisfy { $0.isLetter || $0.isNumber || "_.-".contains($0) }
    }

    private static func isDigest(_ text: Substring) -> Bool {
        guard text.hasPrefix("sha256:") else { return false }
        let hex = text.dropFirst("sha256:".count)
        return hex.count == 64 && hex.allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }

    private static func isLowerAlphanumeric(_ character: Character) -> Bool {
        character.isASCII && (character.isNumber || character.isLowercase)
    }
}
