/// What the rule scorer looks for in a main script's source text.
///
/// Text matching, not a Python parser: lines that are wholly comments are
/// skipped, everything else is searched.
// FIXME: strings and docstrings are searched like code, so a docstring
// saying "epochs = 500" counts; it only bites scripts that document defaults.
struct ScriptSignals {
    let path: String
    /// (1-based line number, text) of the lines that are not comments.
    let lines: [(number: Int, text: String)]

    /// Names whose value is the dataset size; `(?i)` regex fragments.
    static let samplesNames = ["n_samples", "num_samples"]
    static let epochNames = ["epochs", "num_epochs", "n_epochs", "max_epochs"]

    init(source: String, path: String) {
        self.path = path
        var kept: [(Int, String)] = []
        for (index, line) in source.split(
            omittingEmptySubsequences: false, whereSeparator: \.isNewline
        ).enumerated() where !line.pipTrimmed().hasPrefix("#") {
            kept.append((index + 1, String(line)))
        }
        lines = kept
    }

    /// `train.py:12: n_samples = 100_000`, cut to 120 characters so a
    /// minified one-line script does not flood the quote.
    private func evidence(_ line: (number: Int, text: String)) -> String {
        let text = line.text.pipTrimmed()
        let shown = text.count > 120 ? String(text.prefix(120)) + "…" : text
        return "\(path):\(line.number): \(shown)"
    }

    /// The first `import m` / `import a, m as x` / `from m.sub import y` of a
    /// module in `modules`.
    func firstImport(of modules: Set<String>) -> String? {
        let importLine = /^\s*import\s+(.+)$/
        let fromLine = /^\s*from\s+([A-Za-z_][A-Za-z0-9_]*)/
        for line in lines {
            var imported: [String] = []
            if let match = line.text.wholeMatch(of: importLine) {
                imported = match.1.split(separator: ",").map { item in
                    String(item.pipTrimmed().prefix { $0.isLetter || $0.isNumber || $0 == "_" })
                }
            } else if let match = line.text.prefixMatch(of: fromLine) {
                imported = [String(match.1)]
            }
            if imported.contains(where: modules.contains) { return evidence(line) }
        }
        return nil
    }

    /// The largest number assigned to one of `names` — `name = 1e5`,
    /// `name: int = 100_000`, `f(name=150)`, `"name": 200`, or an argparse
    /// `add_argument("--name", default=120)` — with the line that set it.
    func largestValue(named names: [String]) -> (Double, String)? {
        let alternatives = names.joined(separator: "|")
        let dashed = names.map { $0.replacingUnderscores() }.joined(separator: "|")
        let number = #"(?:int\(\s*)?([0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][+-]?[0-9]+)?)"#
        let patterns = [
            #"(?:^|[^A-Za-z0-9_])(?:"# + alternatives + #")\s*(?::\s*[A-Za-z_.\[\]]+\s*)?=\s*"#
                + number,
            #"['"](?:"# + alternatives + #")['"]\s*:\s*"# + number,
            #"add_argument\(\s*['"]--(?:"# + alternatives + "|" + dashed
                + #")['"].*?default\s*=\s*"# + number,
        ]
        // The patterns are constants covered by tests; a typo must fail loudly
        // rather than silently stop scoring.
        let regexes = patterns.map { try! Regex<(Substring, Substring)>($0).ignoresCase() }
        var best: (Double, String)?
        for line in lines {
            for regex in regexes {
                for match in line.text.matches(of: regex) {
                    guard let value = Double(match.1.filter { $0 != "_" }) else { continue }
                    if value > (best?.0 ?? -1) { best = (value, evidence(line)) }
                }
            }
        }
        return best
    }

    /// The first line using data-parallel or distributed training.
    func firstDistributedPattern() -> String? {
        let markers = [
            "DistributedDataParallel", "torch.distributed", "DataParallel",
            "MirroredStrategy", "horovod", "deepspeed", "init_process_group", "Accelerator(",
        ]
        for line in lines where markers.contains(where: line.text.contains) {
            return evidence(line)
        }
        return firstImport(of: ["accelerate", "horovod", "deepspeed"])
    }
}

extension String {
    fileprivate func replacingUnderscores() -> String {
        String(map { $0 == "_" ? "-" : $0 })
    }
}
