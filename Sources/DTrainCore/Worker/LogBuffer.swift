import Foundation

/// A job's log as captured: bytes with timestamps, held within a cap that keeps
/// the head and the tail of the output.
///
/// Jobs print anything: a 10 MB line, `\r`-driven progress bars, bytes that are
/// not UTF-8. None of it may break capture or let the log outgrow `capBytes`
/// (measured in `LogFormat` bytes), and the last lines and the exit note must
/// always survive, since they say why a job failed. So:
/// - a line longer than `maxLineBytes` keeps its start and end around a marker;
/// - a `\r` not followed by `\n` starts the line over, as a terminal would show
///   it;
/// - the first half of the cap holds the first lines, the second half the
///   latest ones, with a `[… N bytes truncated …]` line where the middle was
///   dropped.
///
/// Chunks may come from two reader threads; a lock makes every method safe to
/// call from any thread.
public final class LogBuffer: @unchecked Sendable {
    public let capBytes: Int
    public let maxLineBytes: Int

    private struct Entry {
        var sequence: Int
        var line: LogLine
        var cost: Int
    }

    private let lock = NSLock()
    private var head: [Entry] = []
    private var headCost = 0
    private var tail: [Entry] = []
    private var tailStart = 0
    private var tailCost = 0
    private var dropped = Drop()
    private var pending: [LogChunk.Stream: PartialLine] = [:]
    private var nextSequence = 0
    // For `takeNewLines`: the last sequence handed out and what was dropped
    // unseen since.
    private var takenThrough = -1
    private var droppedUntaken = Drop()

    private struct Drop {
        var bytes: Int64 = 0
        var lines = 0
        var firstTime: Date?
    }

    /// `capBytes` is at least 4 KiB; lines are cut at `maxLineBytes`, by
    /// default the smaller of 64 KiB and a sixteenth of the cap, so one line
    /// cannot take the tail.
    public init(capBytes: Int, maxLineBytes: Int? = nil) {
        self.capBytes = max(capBytes, 4096)
        let defaultLine = min(64 * 1024, self.capBytes / 16)
        self.maxLineBytes = max(256, min(maxLineBytes ?? defaultLine, self.capBytes / 16))
    }

    /// Adds what one read returned; a line may span many chunks.
    public func append(_ chunk: LogChunk) {
        lock.withLock {
            var line = pending[chunk.stream] ?? PartialLine(time: chunk.time, limit: maxLineBytes)
            chunk.bytes.withUnsafeBufferPointer { bytes in
                var start = 0
                for index in 0..<bytes.count where bytes[index] == 0x0A || bytes[index] == 0x0D {
                    line.add(bytes[start..<index], time: chunk.time)
                    start = index + 1
                    if bytes[index] == 0x0D {
                        line.sawCarriageReturn = true
                    } else {
                        store(LogLine(stream: chunk.stream, time: line.time, bytes: line.seal()))
                        line = PartialLine(time: chunk.time, limit: maxLineBytes)
                    }
                }
                line.add(bytes[start..<bytes.count], time: chunk.time)
            }
            pending[chunk.stream] = line.isEmpty ? nil : line
        }
    }

    /// Ends the log: unfinished lines are kept as lines, then dtrain's `note`
    /// (the exit code, a timeout) is added last, where the cap can never drop
    /// it.
    public func finish(note: String, time: Date = Date()) {
        lock.withLock {
            for stream in LogChunk.Stream.allCases {
                guard var line = pending.removeValue(forKey: stream) else { continue }
                store(LogLine(stream: stream, time: line.time, bytes: line.seal()))
            }
            store(LogLine(stream: .dtrain, time: time, bytes: Array(note.utf8)))
        }
    }

    /// Adds one of dtrain's own lines (after `finish`: what the outputs leave out).
    public func note(_ text: String, time: Date = Date()) {
        lock.withLock { store(LogLine(stream: .dtrain, time: time, bytes: Array(text.utf8))) }
    }

    /// The log as kept: head, a truncation marker if needed, tail, then
    /// unfinished lines.
    public var lines: [LogLine] {
        lock.withLock {
            var result = head.map(\.line)
            if let marker = Self.marker(dropped) { result.append(marker) }
            result += tail[tailStart...].map(\.line)
            for stream in LogChunk.Stream.allCases {
                guard var line = pending[stream] else { continue }
                result.append(LogLine(stream: stream, time: line.time, bytes: line.seal()))
            }
            return result
        }
    }

    /// Bytes of job output dropped from the middle to honour the cap (whole
    /// lines only).
    public var truncatedBytes: Int64 { lock.withLock { dropped.bytes } }

    /// The whole log in `LogFormat`; at most `capBytes` once `finish` was
    /// called.
    public func encoded() -> Data { LogFormat.encode(lines) }

    /// The log for a person: one display line per log line (see
    /// `LogLine.displayText`).
    public func displayText() -> String {
        lines.map(\.displayText).joined(separator: "\n")
    }

    /// The finished lines not handed out before, in `LogFormat`, for committing
    /// the log in pieces while the job runs; lines dropped before they were
    /// taken become a marker.
    // FIXME: the cap bounds the buffer, not the sum of pieces taken; a worker
    // that takes pieces often commits more than capBytes for a chatty job.
    public func takeNewLines() -> Data {
        lock.withLock {
            var fresh: [LogLine] = head.filter { $0.sequence > takenThrough }.map(\.line)
            if let marker = Self.marker(droppedUntaken) { fresh.append(marker) }
            let newTail = tail[tailStart...].filter { $0.sequence > takenThrough }
            fresh += newTail.map(\.line)
            takenThrough = nextSequence - 1
            droppedUntaken = Drop()
            return LogFormat.encode(fresh)
        }
    }

    // MARK: - Keeping head and tail within the cap

    /// Room kept free for the marker line, so head + marker + tail stays under
    /// the cap.
    private static let markerReserve = 96

    private var halfBudget: Int { (capBytes - Self.markerReserve) / 2 }

    private func store(_ line: LogLine) {
        let entry = Entry(
            sequence: nextSequence, line: line, cost: LogFormat.encodedCount(line))
        nextSequence += 1
        if tail.count == tailStart && dropped.lines == 0 && headCost + entry.cost <= halfBudget {
            head.append(entry)
            headCost += entry.cost
            return
        }
        tail.append(entry)
        tailCost += entry.cost
        while tailCost > halfBudget && tailStart < tail.count - 1 {
            let oldest = tail[tailStart]
            tailStart += 1
            tailCost -= oldest.cost
            record(oldest, in: &dropped)
            if oldest.sequence > takenThrough { record(oldest, in: &droppedUntaken) }
        }

        // Compact now and then so dropped entries do not pile up.
        if tailStart > 1024 && tailStart * 2 > tail.count {
            tail.removeFirst(tailStart)
            tailStart = 0
        }
    }

    private func record(_ entry: Entry, in drop: inout Drop) {
        drop.bytes += Int64(entry.line.bytes.count + 1)
        drop.lines += 1
        if drop.firstTime == nil { drop.firstTime = entry.line.time }
    }

    private static func marker(_ drop: Drop) -> LogLine? {
        guard drop.lines > 0, let time = drop.firstTime else { return nil }
        let text = "[… \(drop.bytes) bytes truncated (\(drop.lines) lines) …]"
        return LogLine(stream: .dtrain, time: time, bytes: Array(text.utf8))
    }
}
