import Foundation

/// A remote's address, classified the way dtrain must treat it.
///
/// Local paths and `file://` URLs are handled without libgit2's local
/// transport for pushes (it does not compare-and-swap); ssh URLs carry the
/// host and port needed to look the host key up in known_hosts.
enum RemoteURL: Equatable {
    /// A repository on this machine (a plain path or a `file://` URL).
    case local(path: String)
    /// `ssh://user@host:port/path` or scp-like `user@host:path`.
    case ssh(user: String?, host: String, port: Int)
    /// Anything else (https, git://): passed to libgit2 as given.
    case other

    init(_ url: String) {
        if url.hasPrefix("file://") {
            let rest = String(url.dropFirst("file://".count))
            self = .local(path: rest.removingPercentEncoding ?? rest)
        } else if url.hasPrefix("ssh://") || url.hasPrefix("ssh+git://")
            || url.hasPrefix("git+ssh://")
        {
            self = RemoteURL.parseSSH(url) ?? .other
        } else if url.contains("://") {
            self = .other
        } else if let scp = RemoteURL.parseSCP(url) {
            self = scp
        } else {
            self = .local(path: url)
        }
    }

    /// `ssh://[user@]host[:port]/path`, with `[v6]` hosts allowed.
    private static func parseSSH(_ url: String) -> RemoteURL? {
        guard let components = URLComponents(string: url), let host = components.host,
            !host.isEmpty
        else { return nil }
        let bare = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        return .ssh(user: components.user, host: bare, port: components.port ?? 22)
    }

    /// `[user@]host:path`: a colon before any slash, as git decides it.
    private static func parseSCP(_ url: String) -> RemoteURL? {
        guard let colon = url.firstIndex(of: ":") else { return nil }
        if let slash = url.firstIndex(of: "/"), slash < colon { return nil }
        let authority = url[..<colon]
        guard !authority.isEmpty else { return nil }
        if let at = authority.lastIndex(of: "@") {
            let user = String(authority[..<at])
            let host = String(authority[authority.index(after: at)...])
            guard !host.isEmpty else { return nil }
            return .ssh(user: user.isEmpty ? nil : user, host: host, port: 22)
        }
        return .ssh(user: nil, host: String(authority), port: 22)
    }
}
