import CArchive

/// The version of libarchive linked in, for `dtrain --version` and bug reports.
public var libarchiveVersion: String { String(cString: archive_version_string()) }
