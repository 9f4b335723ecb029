import Foundation

/// A log line still being read: its start and end kept within a limit, and the
/// `\r` rule of a terminal applied as bytes arrive.
///
/// A progress bar rewrites one line with `\r` thousands of times; keeping every
/// segment would fill the log with frames no one sees, so a `\r` followed by
/// more text starts the line over (a `\r\n` line ending is just an ending). A
/// line longer than `limit` keeps its first and last halves and says how much
/// of the middle went.
struct PartialLine {
    private(set) var time: Date
    let limit: Int
    private var head: [UInt8] = []
    private var tail: [UInt8] = []
    private var skipped = 0
    var sawCarriageReturn = false

    init(time: Date, limit: Int) {
        self.time = time
        self.limit = limit
    }

    var isEmpty: Bool { head.isEmpty && tail.isEmpty && !sawCarriageReturn }

    mutating func add(_ bytes: Slice<UnsafeBufferPointer<UInt8>>, time now: Date) {
        guard !bytes.isEmpty else { return }

        // Text after a lone `\r` overwrites the line, as on a terminal.
        if sawCarriageReturn {
            head.removeAll(keepingCapacity: true)
            tail.removeAll(keepingCapacity: true)
            skipped = 0
            sawCarriageReturn = false
            time = now
        }
        let half = limit / 2
        var rest = bytes[...]
        if head.count < half {
            let take = min(half - head.count, rest.count)
            head.append(contentsOf: rest.prefix(take))
            rest = rest.dropFirst(take)
        }
        guard !rest.isEmpty else { return }
        tail.append(contentsOf: rest)

        // Trim in batches so a 10 MB line costs a few copies, not one per
        // chunk.
        if tail.count > 2 * half {
            let excess = tail.count - half
            tail.removeFirst(excess)
            skipped += excess
        }
    }

    /// The line's bytes, with a marker where an over-long middle was left out.
    mutating func seal() -> [UInt8] {
        let half = limit / 2
        if tail.count > half {
            let excess = tail.count - half
            tail.removeFirst(excess)
            skipped += excess
        }
        guard skipped > 0 else { return head + tail }
        return head + Array(" [… \(skipped) bytes truncated …] ".utf8) + tail
    }
}
