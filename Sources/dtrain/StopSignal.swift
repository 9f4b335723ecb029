import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// SIGINT and SIGTERM turned into a flag the worker loop checks between steps.
final class StopSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var raised = false
    private var sources: [DispatchSourceSignal] = []

    var isSet: Bool { lock.withLock { raised } }

    static func install() -> StopSignal {
        let stop = StopSignal()
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                stop.lock.withLock { stop.raised = true }
                FileHandle.standardError.write(
                    Data("dtrain: stopping after the current step (signal \(number))\n".utf8))
            }
            source.resume()
            stop.sources.append(source)
        }
        return stop
    }
}

/// A worker as `dtrain workers` lists it.
struct WorkerLine: Encodable {
    var name: String
    var state: String
    var lastSeen: String
    var cpus: Double
    var memoryBytes: Int64
    var gpus: Int
    var labels: [String: String]
}
