import Foundation

/// The text form of a job log: one line per log line, so pieces can be appended
/// to a committed file and read back as the concatenation of what was written.
///
///     2026-12-03T15:04:05.123Z O epoch 3 accuracy 0.91
///     2026-12-03T15:04:05.124Z E warning: \xff is not UTF-8
///
/// `O`, `E`, `D` name stdout, stderr and dtrain's own notes. The text is the
/// line's bytes with `\` written `\\`, CR and LF written `\r` and `\n`, and
/// other control bytes and bytes that are not valid UTF-8 written `\xNN`, so
/// any bytes survive a round trip.
public enum LogFormat {
    /// Encodes lines, each ending in a newline.
    public static func encode(_ lines: [LogLine]) -> Data {
        var out: [UInt8] = []
        for line in lines { append(line, to: &out) }
        return Data(out)
    }

    /// How many bytes `encode` makes of this line, newline included.
    static func encodedCount(_ line: LogLine) -> Int {
        var out: [UInt8] = []
        escape(line.bytes, to: &out)
        return timestampLength + 3 + out.count + 1
    }

    static func append(_ line: LogLine, to out: inout [UInt8]) {
        out.append(contentsOf: timestamp(line.time).utf8)
        out.append(0x20)
        out.append(contentsOf: String(line.stream.rawValue).utf8)
        out.append(0x20)
        escape(line.bytes, to: &out)
        out.append(0x0A)
    }

    /// Reads back what `encode` wrote. Lines that do not parse (a torn last
    /// line of an interrupted write, a hand edit) are kept as dtrain notes
    /// rather than dropped.
    public static func decode(_ data: Data) -> [LogLine] {
        let bytes = [UInt8](data)
        return bytes.split(separator: 0x0A, omittingEmptySubsequences: true).map { raw in
            let text = Array(raw)
            let prefix = timestampLength + 3
            guard text.count >= prefix, text[timestampLength] == 0x20,
                text[timestampLength + 2] == 0x20,
                let time = parseTimestamp(Array(text[0..<timestampLength])),
                let stream = LogChunk.Stream(
                    rawValue: Character(
                        Unicode.Scalar(text[timestampLength + 1])))
            else {
                return LogLine(stream: .dtrain, time: Date(timeIntervalSince1970: 0), bytes: text)
            }
            return LogLine(stream: stream, time: time, bytes: unescape(text[prefix...]))
        }
    }

    // MARK: - Timestamps

    static let timestampLength = 24

    /// `2026-12-03T15:04:05.123Z`, built by hand: fixed width, UTC, no
    /// formatter to share.
    static func timestamp(_ date: Date) -> String {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded())
        var seconds = time_t(millis / 1000)
        let fraction = Int((millis % 1000 + 1000) % 1000)
        if millis < 0 && fraction != 0 { seconds -= 1 }
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-"
            + "\(pad(parts.tm_mday, 2))T\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):"
            + "\(pad(parts.tm_sec, 2)).\(pad(Int32(fraction), 3))Z"
    }

    static func parseTimestamp(_ text: [UInt8]) -> Date? {
        guard text.count == timestampLength, text[23] == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int32? {
            var value: Int32 = 0
            for byte in text[range] {
                guard (0x30...0x39).contains(byte) else { return nil }
                value = value * 10 + Int32(byte - 0x30)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16),
            let second = number(17..<19), let millis = number(20..<23)
        else { return nil }
        var parts = tm()
        parts.tm_year = year - 1900
        parts.tm_mon = month - 1
        parts.tm_mday = day
        parts.tm_hour = hour
        parts.tm_min = minute
        parts.tm_sec = second
        let seconds = timegm(&parts)
        return Date(timeIntervalSince1970: Double(Int64(seconds) * 1000 + Int64(millis)) / 1000)
    }

    // MARK: - Escaping

    static func escape(_ bytes: [UInt8], to out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            let width = validUTF8Width(bytes, at: index)
            switch byte {
            case UInt8(ascii: "\\"): out += [0x5C, 0x5C]
            case 0x0D: out += [0x5C, UInt8(ascii: "r")]
            case 0x0A: out += [0x5C, UInt8(ascii: "n")]
            case 0x09, 0x20..<0x7F: out.append(byte)
            default:
                if byte >= 0x80, width > 0 {
                    out.append(contentsOf: bytes[index..<index + width])
                    index += width
                    continue
                }
                out += [0x5C, UInt8(ascii: "x"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            }
            index += 1
        }
    }

    static func unescape(_ text: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        var index = text.startIndex
        while index < text.endIndex {
            let byte = text[index]
            let next = index + 1 < text.endIndex ? text[index + 1] : 0
            if byte == 0x5C && next == UInt8(ascii: "x") && index + 3 < text.endIndex,
                let high = hexValue(text[index + 2]), let low = hexValue(text[index + 3])
            {
                out.append(high << 4 | low)
                index += 4
                continue
            }
            switch (byte, next) {
            case (0x5C, 0x5C): out.append(0x5C)
            case (0x5C, UInt8(ascii: "r")): out.append(0x0D)
            case (0x5C, UInt8(ascii: "n")): out.append(0x0A)
            default:
                out.append(byte)
                index += 1
                continue
            }
            index += 2
        }
        return out
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x61...0x66: byte - 0x61 + 10
        case 0x41...0x46: byte - 0x41 + 10
        default: nil
        }
    }

    /// The length of the well-formed UTF-8 sequence starting at `index`, or 0
    /// if none (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF).
    static func validUTF8Width(_ bytes: [UInt8], at index: Int) -> Int {
        let lead = bytes[index]
        let (width, secondRange): (Int, ClosedRange<UInt8>) =
            switch lead {
            case 0x00...0x7F: (1, 0x80...0xBF)
            case 0xC2...0xDF: (2, 0x80...0xBF)
            case 0xE0: (3, 0xA0...0xBF)
            case 0xED: (3, 0x80...0x9F)
            case 0xE1...0xEF: (3, 0x80...0xBF)
            case 0xF0: (4, 0x90...0xBF)
            case 0xF1...0xF3: (4, 0x80...0xBF)
            case 0xF4: (4, 0x80...0x8F)
            default: (0, 0x80...0xBF)
            }
        guard width > 1 else { return width }
        guard index + width <= bytes.count, secondRange.contains(bytes[index + 1]) else {
            return 0
        }
        for offset in 2..<width where !(0x80...0xBF).contains(bytes[index + offset]) {
            return 0
        }
        return width
    }
}
