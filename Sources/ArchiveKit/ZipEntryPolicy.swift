/// Why an entry may not be unpacked. Shared by submission checks and the
/// worker's extraction so that what was validated is exactly what gets written.
public enum EntryRejection: Sendable, Equatable, CustomStringConvertible {
    case emptyName
    case absolutePath
    case parentComponent
    case symlink(target: String)
    case hardlink(target: String)
    case device
    case fifo
    case socket
    case unsupportedType(UInt32)

    public var description: String {
        switch self {
        case .emptyName: "has an empty name"
        case .absolutePath: "has an absolute path"
        case .parentComponent: "has a '..' path component"
        case .symlink(let target): "is a symbolic link (to '\(target)')"
        case .hardlink(let target): "is a hard link (to '\(target)')"
        case .device: "is a device file"
        case .fifo: "is a named pipe (fifo)"
        case .socket: "is a socket"
        case .unsupportedType(let bits): "has an unsupported file type (mode \(bits))"
        }
    }
}

/// What to do with one entry.
public enum EntryVerdict: Sendable, Equatable {
    /// Unpack it at this path: `/`-separated, no empty, `.` or `..` components.
    case accept(path: String)
    /// macOS clutter (`__MACOSX/`, `._*`, `.DS_Store`): skip it and say so.
    case ignore
    case reject(EntryRejection)
}

/// The one set of rules for entries from outside: only plain files and folders,
/// only inside the target. Paths are judged before types, so `__MACOSX/../../x`
/// is still rejected.
public enum ZipEntryPolicy {
    public static func screen(_ entry: ZipEntry) -> EntryVerdict {
        let name = entry.pathname

        // Path shape: backslashes count as separators, because unzip tools on
        // Windows and some Linux ones treat them so.
        let unified = name.replacingBackslashes()
        if unified.hasPrefix("/") || hasDriveLetter(unified) { return .reject(.absolutePath) }
        let components = unified.split(separator: "/", omittingEmptySubsequences: true)
            .filter { $0 != "." }
        if components.contains("..") { return .reject(.parentComponent) }
        if isMacOSJunk(components.map(String.init)) { return .ignore }
        if components.isEmpty {
            return entry.kind == .directory ? .ignore : .reject(.emptyName)
        }

        // Types: everything but files and folders is refused, naming what it
        // is.
        switch entry.kind {
        case .regular, .directory: return .accept(path: components.joined(separator: "/"))
        case .symlink: return .reject(.symlink(target: entry.linkTarget ?? ""))
        case .hardlink: return .reject(.hardlink(target: entry.linkTarget ?? ""))
        case .characterDevice, .blockDevice: return .reject(.device)
        case .fifo: return .reject(.fifo)
        case .socket: return .reject(.socket)
        case .other(let bits): return .reject(.unsupportedType(bits))
        }
    }

    /// Whether a file stored under `path` (a relative path with `/` between
    /// components) unpacks under the same name: no backslash (read as a
    /// separator), no drive letter, no macOS metadata name (skipped), no `.`
    /// or `..` component.
    public static func unpacksAsItself(_ path: String) -> Bool {
        guard !path.contains("\\"), !path.hasPrefix("/"), !hasDriveLetter(path) else {
            return false
        }
        let components = path.split(separator: "/", omittingEmptySubsequences: false)
            .map(String.init)
        guard !components.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
            return false
        }
        return !isMacOSJunk(components)
    }

    /// True for `__MACOSX/…`, AppleDouble `._name` files and `.DS_Store`, at
    /// any depth.
    public static func isMacOSJunk(_ components: [String]) -> Bool {
        guard let last = components.last else { return false }
        return components.contains("__MACOSX") || last.hasPrefix("._") || last == ".DS_Store"
    }

    private static func hasDriveLetter(_ path: String) -> Bool {
        let scalars = Array(path.unicodeScalars.prefix(2))
        return scalars.count == 2 && scalars[1] == ":" && scalars[0].properties.isAlphabetic
    }
}

extension String {
    fileprivate func replacingBackslashes() -> String {
        String(map { $0 == "\\" ? "/" : $0 })
    }
}
