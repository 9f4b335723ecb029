import Foundation

/// Bytes gathered from a reader thread, guarded by a lock.
final class ByteCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [UInt8] = []

    func append(_ chunk: [UInt8]) {
        lock.withLock { storage.append(contentsOf: chunk) }
    }

    var bytes: [UInt8] { lock.withLock { storage } }
}

/// Reads a pipe to its end on a thread of its own, handing over each `read(2)`
/// as it comes.
enum PipeReader {
    static let chunkSize = 64 * 1024

    static func start(
        _ pipe: Pipe, group: DispatchGroup, onBytes: @escaping @Sendable ([UInt8]) -> Void
    ) {
        // The thread holds the handle, so its descriptor stays open until the
        // end.
        let handle = pipe.fileHandleForReading
        group.enter()
        Thread.detachNewThread {
            defer { group.leave() }
            let descriptor = handle.fileDescriptor
            var buffer = [UInt8](repeating: 0, count: chunkSize)
            while true {
                let count = buffer.withUnsafeMutableBytes {
                    read(descriptor, $0.baseAddress, chunkSize)
                }
                if count < 0 && errno == EINTR { continue }
                // FIXME: a read error other than EINTR ends capture silently,
                // like EOF.
                guard count > 0 else { break }
                onBytes(Array(buffer[0..<count]))
            }
        }
    }
}
