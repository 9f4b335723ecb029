import Foundation

/// One line of a job's log: which stream, when it started, and its bytes (no
/// newline).
public struct LogLine: Sendable, Equatable {
    public var stream: LogChunk.Stream
    public var time: Date
    public var bytes: [UInt8]

    /// `time` is rounded to the millisecond, the precision `LogFormat` keeps,
    /// so a line read back equals the line written.
    public init(stream: LogChunk.Stream, time: Date, bytes: [UInt8]) {
        self.stream = stream
        let millis = (time.timeIntervalSince1970 * 1000).rounded()
        self.time = Date(timeIntervalSince1970: millis / 1000)
        self.bytes = bytes
    }

    /// The line as a person reads it: invalid UTF-8 shown as U+FFFD, and of the
    /// `\r`-separated segments of a progress bar only the last one that says
    /// something.
    public var displayText: String {
        let segments = bytes.split(separator: 0x0D, omittingEmptySubsequences: true)
        let text = String(decoding: segments.last ?? [], as: UTF8.self)
        return stream == .dtrain ? "[dtrain] \(text)" : text
    }
}
