import CArchive

/// A failure reported by libarchive, with the message libarchive gave for it.
///
/// The message is read with `archive_error_string` before the handle is freed,
/// because libarchive keeps it inside the handle; after `archive_*_free` it is
/// gone.
public struct ArchiveError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The libarchive status (`ARCHIVE_FATAL`, `ARCHIVE_FAILED`, …) or a
    /// negative byte count.
    public var code: Int32
    /// libarchive's own words, or ours when libarchive had none.
    public var message: String
    /// The C function that failed, e.g. `archive_read_next_header`.
    public var function: String

    public init(code: Int32, message: String, function: String) {
        self.code = code
        self.message = message
        self.function = function
    }

    public var description: String { "\(function) failed (\(code)): \(message)" }

    /// Turns a libarchive result into success or an `ArchiveError`; every C
    /// call in ArchiveKit goes through here.
    ///
    /// For statuses, `ARCHIVE_OK`, `ARCHIVE_EOF` and `ARCHIVE_WARN` are
    /// success: a warning (for example an unconvertible name) still leaves a
    /// usable archive, and callers that care look at the entry itself. For byte
    /// counts (`isByteCount`) anything negative is an error, warnings included.
    /// A failure throws with the handle's current message.
    @discardableResult
    static func check<Status: BinaryInteger>(
        _ status: Status, _ handle: OpaquePointer?, _ function: String,
        isByteCount: Bool = false
    ) throws(ArchiveError) -> Status {
        let code = Int32(truncatingIfNeeded: status)
        let succeeded =
            isByteCount
            ? status >= 0
            : (code == ARCHIVE_OK || code == ARCHIVE_EOF || code == ARCHIVE_WARN)
        if succeeded { return status }
        throw ArchiveError(code: code, message: message(of: handle), function: function)
    }

    /// For constructors that return NULL instead of a status.
    static func checkHandle(
        _ pointer: OpaquePointer?, _ function: String
    ) throws(ArchiveError) -> OpaquePointer {
        guard let pointer else {
            throw ArchiveError(code: ARCHIVE_FATAL, message: "out of memory", function: function)
        }
        return pointer
    }

    /// The handle's last error text, via `archive_error_string`; never empty.
    static func message(of handle: OpaquePointer?) -> String {
        guard let handle, let text = archive_error_string(handle) else {
            return "libarchive gave no message"
        }
        let message = String(cString: text)
        return message.isEmpty ? "libarchive gave no message" : message
    }
}
