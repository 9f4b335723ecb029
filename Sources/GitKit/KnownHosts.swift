import Foundation

/// An OpenSSH known_hosts file, consulted from libgit2's `certificate_check`
/// callback (libgit2 1.5 checks no host keys itself).
///
/// Supports plain and hashed (`|1|salt|hash`) host fields, `[host]:port` for
/// non-22 ports, `*`/`?` patterns and `!` negation, and
/// `@revoked` lines.
// FIXME: `@cert-authority` lines are ignored, so hosts trusted only through a
// CA certificate are refused as unknown; bites sites that sign host keys.
// FIXME: the key libssh2 negotiates is compared with every listed key; a host
// listed only under another algorithm (rsa known, ed25519 offered) is reported
// as a mismatch, where OpenSSH would negotiate the algorithm it knows.
struct KnownHosts {
    enum Verdict: Equatable {
        case trusted
        /// No line names this host.
        case unknown
        /// Lines name the host, but with other keys (possible interception).
        case mismatch
        /// The key is listed under `@revoked`.
        case revoked
    }

    private struct Line {
        var marker: String?
        var patterns: [String]
        var key: [UInt8]
    }

    private var lines: [Line] = []

    /// Reads `paths` in order; a missing or unreadable file knows no hosts.
    init(paths: [String]) {
        for path in paths { read(path) }
    }

    init(path: String) {
        self.init(paths: [path])
    }

    private mutating func read(_ path: String) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return }
        for raw in text.split(whereSeparator: \.isNewline) {
            var fields = raw.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let first = fields.first, !first.hasPrefix("#") else { continue }
            var marker: String?
            if first.hasPrefix("@") {
                marker = first
                fields.removeFirst()
            }
            guard fields.count >= 3, let key = Data(base64Encoded: fields[2]) else { continue }
            let patterns = fields[0].split(separator: ",").map(String.init)
            lines.append(Line(marker: marker, patterns: patterns, key: Array(key)))
        }
    }

    /// How `hostKey` (the raw ssh wire-format key) stands for `host:port`.
    func verdict(host: String, port: Int, hostKey: [UInt8]) -> Verdict {
        // A revoked key is refused whatever else lists it, as ssh does.
        for line in lines where line.marker == "@revoked" && line.key == hostKey {
            return .revoked
        }
        let name = port == 22 ? host : "[\(host)]:\(port)"
        var namedWithOtherKey = false
        for line in lines where line.marker == nil && Self.matches(line.patterns, name: name) {
            if line.key == hostKey { return .trusted }
            namedWithOtherKey = true
        }
        return namedWithOtherKey ? .mismatch : .unknown
    }

    /// ssh's rule: some pattern matches and no negated pattern does.
    private static func matches(_ patterns: [String], name: String) -> Bool {
        var matched = false
        for pattern in patterns {
            if pattern.hasPrefix("|1|") {
                if hashedMatches(pattern, name: name) { matched = true }
            } else if pattern.hasPrefix("!") {
                if wildcard(Array(pattern.utf8.dropFirst()), Array(name.utf8)) { return false }
            } else if wildcard(Array(pattern.utf8), Array(name.utf8)) {
                matched = true
            }
        }
        return matched
    }

    /// OpenSSH's host pattern: `*` any run, `?` one character, the rest
    /// literal (so `[host]:port` is not a bracket expression as in fnmatch).
    private static func wildcard(_ pattern: [UInt8], _ name: [UInt8]) -> Bool {
        var p = 0
        var n = 0
        var starP = -1
        var starN = 0
        while n < name.count {
            if p < pattern.count, pattern[p] == UInt8(ascii: "?") || pattern[p] == name[n] {
                p += 1
                n += 1
            } else if p < pattern.count, pattern[p] == UInt8(ascii: "*") {
                starP = p
                starN = n
                p += 1
            } else if starP >= 0 {
                // Let the last star swallow one more character and retry.
                p = starP + 1
                starN += 1
                n = starN
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == UInt8(ascii: "*") { p += 1 }
        return p == pattern.count
    }

    /// `|1|base64(salt)|base64(HMAC-SHA1(salt, name))`.
    private static func hashedMatches(_ pattern: String, name: String) -> Bool {
        let parts = pattern.split(separator: "|", omittingEmptySubsequences: true)
        guard parts.count == 3, let salt = Data(base64Encoded: String(parts[1])),
            let expected = Data(base64Encoded: String(parts[2]))
        else { return false }
        return SHA1.hmac(key: Array(salt), message: Array(name.utf8)) == Array(expected)
    }
}
