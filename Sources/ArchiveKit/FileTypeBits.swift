/// The `AE_IF*` file-type constants of `archive_entry.h`.
///
/// They are `#define`s with a cast, which Swift does not import, so they are
/// repeated here; the values are the POSIX `S_IF*` bits and cannot change
/// without breaking every archive.
enum FileTypeBits {
    static let mask: UInt32 = 0o170000  // AE_IFMT
    static let regular: UInt32 = 0o100000  // AE_IFREG
    static let symlink: UInt32 = 0o120000  // AE_IFLNK
    static let socket: UInt32 = 0o140000  // AE_IFSOCK
    static let characterDevice: UInt32 = 0o020000  // AE_IFCHR
    static let blockDevice: UInt32 = 0o060000  // AE_IFBLK
    static let directory: UInt32 = 0o040000  // AE_IFDIR
    static let fifo: UInt32 = 0o010000  // AE_IFIFO
}
