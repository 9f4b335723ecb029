import Foundation

/// Bytes the job wrote to one of its streams, stamped when the worker read
/// them.
///
/// A chunk is whatever one `read` returned: it may hold many lines or part of
/// one.
public struct LogChunk: Sendable, Equatable {
    public enum Stream: Character, Sendable, CaseIterable {
        case stdout = "O"
        case stderr = "E"
        /// Notes the worker adds itself (truncation markers, the exit code);
        /// never the job.
        case dtrain = "D"
    }

    public var stream: Stream
    public var time: Date
    public var bytes: [UInt8]

    public init(stream: Stream, time: Date = Date(), bytes: [UInt8]) {
        self.stream = stream
        self.time = time
        self.bytes = bytes
    }
}
