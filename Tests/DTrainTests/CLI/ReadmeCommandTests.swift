import Foundation
import Testing

/// Every `dtrain …` line in the README must still parse: the command exists and takes those
/// options and arguments. (`--help` is appended, so nothing runs; the parser checks the line
/// first.) What the commands do is exercised by the other tests and by `make demo`.
@Suite("README commands")
struct ReadmeCommandTests {
    static let readme: String = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return
            (try? String(
                contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)) ?? ""
    }()

    /// The `dtrain` lines of the README's shell blocks, comments cut off.
    static let examples: [String] = {
        var inBlock = false
        var lines: [String] = []
        for line in readme.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") {
                inBlock = line == "```sh"
                continue
            }
            guard inBlock, line.hasPrefix("dtrain ") else { continue }
            let code = line.components(separatedBy: "  #").first ?? String(line)
            lines.append(code.trimmingCharacters(in: .whitespaces))
        }
        return lines
    }()

    /// Splits like a shell would for these simple lines: spaces, and double quotes.
    static func words(_ line: String) -> [String] {
        var words: [String] = []
        var current = ""
        var quoted = false
        for character in line {
            if character == "\"" {
                quoted.toggle()
            } else if character == " ", !quoted {
                if !current.isEmpty { words.append(current) }
                current = ""
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    @Test("the README shows commands")
    func found() {
        #expect(Self.examples.count >= 25)
    }

    @Test("each README command line parses", arguments: examples)
    func parses(line: String) throws {
        let arguments = Array(Self.words(line).dropFirst())
        var withHelp = arguments
        if let separator = withHelp.firstIndex(of: "--") {
            withHelp.insert("--help", at: separator)
        } else {
            withHelp.append("--help")
        }
        let result = try Processes.run(Processes.dtrainPath, withHelp)
        #expect(result.status == 0, "\(line): \(result.stderr)")
    }
}
