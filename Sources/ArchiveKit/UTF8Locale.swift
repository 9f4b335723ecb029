#if canImport(Glibc)
    import Glibc
#endif

/// Runs libarchive calls with this thread's `LC_CTYPE` set to C.UTF-8.
///
/// A ZIP that flags its names as UTF-8 (macOS, Python, Windows all do for
/// non-ASCII names) has them converted by libarchive to the current locale's
/// charset. Swift programs never call `setlocale`, so that is ASCII, the
/// conversion fails and `archive_entry_pathname` answers NULL: `données.csv`
/// read as an empty name. `uselocale` changes only the calling thread, so
/// other threads and the process locale are left alone.
enum UTF8Locale {
    /// Made once by `newlocale` and kept for the life of the process (it is
    /// never freed); nil where the C library has no C.UTF-8, and then names
    /// are read as before.
    nonisolated(unsafe) private static let utf8: locale_t? = newlocale(
        LC_CTYPE_MASK, "C.UTF-8", nil)

    static func run<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        guard let utf8 else { return try body() }
        let previous = uselocale(utf8)
        defer {
            if let previous { uselocale(previous) }
        }
        return try body()
    }
}
