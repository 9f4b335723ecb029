import DTrainCore
import Foundation
import Testing

@Suite("Job log capture")
struct LogBufferTests {
    let start = Date(timeIntervalSince1970: 1_796_310_245.123)

    func chunk(_ text: String, _ stream: LogChunk.Stream = .stdout) -> LogChunk {
        LogChunk(stream: stream, time: start, bytes: Array(text.utf8))
    }

    @Test("lines split across chunks and streams come out whole and in order")
    func splitsLines() {
        let log = LogBuffer(capBytes: 1 << 20)
        log.append(chunk("hel"))
        log.append(chunk("oops\n", .stderr))
        log.append(chunk("lo\nwor"))
        log.append(chunk("ld\n"))
        log.finish(note: "exit code 0")
        #expect(log.lines.map(\.displayText) == ["oops", "hello", "world", "[dtrain] exit code 0"])
        #expect(log.lines.map(\.stream) == [.stderr, .stdout, .stdout, .dtrain])
    }

    @Test("the text format is one stamped line per log line")
    func format() {
        let line = LogLine(stream: .stderr, time: start, bytes: Array("a\\b\tc".utf8))
        let text = String(decoding: LogFormat.encode([line]), as: UTF8.self)
        #expect(text == "2026-12-03T15:04:05.123Z E a\\\\b\tc\n")
    }

    @Test("any bytes survive encode and decode, and pieces concatenate")
    func roundTrip() {
        let awkward: [[UInt8]] = [
            [0xFF, 0xFE, 0x41], Array("naïve ✓ 日本".utf8), [0x0D, 0x0A, 0x00, 0x1B, 0x5C],
            [0xE2, 0x82], Array("\\x41 is not an escape".utf8), [0xED, 0xA0, 0x80], [],
        ]
        let lines = awkward.enumerated().map { index, bytes in
            LogLine(
                stream: index % 2 == 0 ? .stdout : .stderr,
                time: start.addingTimeInterval(Double(index)), bytes: bytes)
        }
        let whole = LogFormat.encode(lines)
        #expect(LogFormat.decode(whole) == lines)
        let pieces = LogFormat.encode(Array(lines[..<3])) + LogFormat.encode(Array(lines[3...]))
        #expect(pieces == whole)
        #expect(String(data: whole, encoding: .utf8) != nil)
    }

    @Test("invalid UTF-8 displays as replacement characters")
    func lossyDisplay() {
        let log = LogBuffer(capBytes: 1 << 20)
        log.append(LogChunk(stream: .stdout, time: start, bytes: [0x61, 0xFF, 0x62, 0x0A]))
        #expect(log.lines.map(\.displayText) == ["a\u{FFFD}b"])
    }

    @Test("a progress bar keeps only its last frame; CRLF is a plain line end")
    func carriageReturns() {
        let log = LogBuffer(capBytes: 1 << 20)
        for percent in stride(from: 0, through: 100, by: 10) {
            log.append(chunk("\rloading \(percent)%"))
        }
        log.append(chunk("\nwindows line\r\n"))
        log.append(chunk("unfinished\r"))
        log.finish(note: "exit code 0")
        #expect(
            log.lines.map(\.displayText) == [
                "loading 100%", "windows line", "unfinished", "[dtrain] exit code 0",
            ])
        let stored = LogLine(stream: .stdout, time: start, bytes: Array("a\rb\r".utf8))
        #expect(stored.displayText == "b")
    }

    @Test("a 10 MB line keeps its start and end around a marker")
    func longLine() {
        let log = LogBuffer(capBytes: 64 * 1024)
        log.append(chunk("BEGIN"))
        let block = [UInt8](repeating: UInt8(ascii: "x"), count: 64 * 1024)
        for _ in 0..<160 { log.append(LogChunk(stream: .stdout, time: start, bytes: block)) }
        log.append(chunk("END\n"))
        log.finish(note: "exit code 0")
        let text = log.lines[0].displayText
        #expect(text.hasPrefix("BEGINxxx"))
        #expect(text.hasSuffix("xxxEND"))
        #expect(text.contains(" bytes truncated …] "))
        #expect(log.lines[0].bytes.count <= log.maxLineBytes + 64)
        #expect(log.encoded().count <= log.capBytes)
    }

    @Test("over the cap: head, marker, tail, and the exit note always survive")
    func headAndTail() {
        let cap = 8 * 1024
        let log = LogBuffer(capBytes: cap)
        for index in 0..<5000 { log.append(chunk("line \(index)\n")) }
        log.append(chunk("last words", .stderr))
        log.finish(note: "exit code 3")

        let shown = log.lines.map(\.displayText)
        #expect(log.encoded().count <= cap)
        #expect(shown.first == "line 0")
        #expect(shown.suffix(3) == ["line 4999", "last words", "[dtrain] exit code 3"])
        let marker = shown.first { $0.hasPrefix("[dtrain] [… ") }
        #expect(marker?.contains("bytes truncated") == true)
        #expect(log.truncatedBytes > 30_000)
        let readBack = LogFormat.decode(log.encoded()) == log.lines
        #expect(readBack)
    }

    @Test("taking new lines in pieces yields each line once, with gaps marked")
    func pieces() {
        let log = LogBuffer(capBytes: 8 * 1024)
        log.append(chunk("one\ntwo\nthr"))
        let first = LogFormat.decode(log.takeNewLines()).map(\.displayText)
        #expect(first == ["one", "two"])
        log.append(chunk("ee\n"))
        #expect(LogFormat.decode(log.takeNewLines()).map(\.displayText) == ["three"])
        #expect(log.takeNewLines().isEmpty)

        // Lines dropped by the cap before they were taken leave a marker.
        for index in 0..<5000 { log.append(chunk("line \(index)\n")) }
        let later = LogFormat.decode(log.takeNewLines()).map(\.displayText)
        #expect(later.contains { $0.hasPrefix("[dtrain] [… ") })
        #expect(later.last == "line 4999")
        #expect(later.first != "one")
    }
}
