import CArchive

/// One entry's header as the ZIP states it. Nothing here is trusted: the size
/// is what the header claims, and readers must count the bytes they really
/// inflate.
public struct ZipEntry: Sendable, Equatable {
    /// What kind of file the entry says it is, from `archive_entry_filetype`.
    public enum Kind: Sendable, Equatable {
        case regular, directory, symlink, hardlink
        case characterDevice, blockDevice, fifo, socket
        /// A mode libarchive could not place; carries the raw `AE_IFMT` bits.
        case other(UInt32)
    }

    /// The name exactly as stored (decoded leniently); may be hostile (`../x`,
    /// `/etc/x`).
    public var pathname: String
    public var kind: Kind
    /// The uncompressed size the header claims, or nil when the header does not
    /// say.
    public var declaredSize: Int64?
    /// Where a symlink or hardlink points, as stored.
    public var linkTarget: String?

    public init(pathname: String, kind: Kind, declaredSize: Int64?, linkTarget: String?) {
        self.pathname = pathname
        self.kind = kind
        self.declaredSize = declaredSize
        self.linkTarget = linkTarget
    }

    /// Reads the fields of a live `archive_entry`. Hardlinks are recognised by
    /// `archive_entry_hardlink` being set, whatever the mode says.
    init(reading entry: OpaquePointer) {
        pathname = Self.text(archive_entry_pathname(entry) ?? archive_entry_pathname_utf8(entry))
        declaredSize = archive_entry_size_is_set(entry) != 0 ? archive_entry_size(entry) : nil
        if let hardlink = archive_entry_hardlink(entry) {
            kind = .hardlink
            linkTarget = Self.text(hardlink)
            return
        }
        let type = UInt32(archive_entry_filetype(entry)) & FileTypeBits.mask
        kind = Self.kind(ofFileType: type)
        linkTarget = kind == .symlink ? archive_entry_symlink(entry).map(Self.text) : nil
    }

    private static func kind(ofFileType type: UInt32) -> Kind {
        switch type {
        case FileTypeBits.regular: .regular
        case FileTypeBits.directory: .directory
        case FileTypeBits.symlink: .symlink
        case FileTypeBits.characterDevice: .characterDevice
        case FileTypeBits.blockDevice: .blockDevice
        case FileTypeBits.fifo: .fifo
        case FileTypeBits.socket: .socket
        default: .other(type)
        }
    }

    /// Decodes a C name without failing: `String(cString:)` turns invalid UTF-8
    /// into U+FFFD, which the path rules then treat like any other character.
    private static func text(_ cString: UnsafePointer<CChar>?) -> String {
        guard let cString else { return "" }
        return String(cString: cString)
    }
}
