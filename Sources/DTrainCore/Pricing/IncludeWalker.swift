/// Follows `-r` includes depth-first, remembering the chain to spot cycles.
struct IncludeWalker {
    let files: [String: String]
    private(set) var result = ParsedRequirements(requirements: [], warnings: [], filesRead: [])
    private var finished: Set<String> = []

    init(files: [String: String]) {
        self.files = files
    }

    /// Reads `path` and everything it includes. `chain` holds the files whose
    /// reading is still in progress, outermost first.
    mutating func read(_ path: String, chain: [String]) throws(RequirementsError) {
        if chain.contains(path) { throw .includeCycle(chain: chain + [path]) }
        if finished.contains(path) { return }
        guard let text = files[path] else {
            throw .includeMissing(file: chain.last ?? path, line: 0, target: path)
        }
        result.filesRead.append(path)

        for line in RequirementsParser.logicalLines(text) {
            let location = "\(path):\(line.number)"
            switch RequirementsParser.classify(line.text) {
            case .include(let target):
                guard let resolved = RequirementsParser.resolve(include: target, from: path)
                else { throw .includeEscapes(file: path, line: line.number, target: target) }
                guard files[resolved] != nil else {
                    throw .includeMissing(file: path, line: line.number, target: target)
                }
                try read(resolved, chain: chain + [path])
            case .requirement(let name, let extras, let specifier, let marker, let notes):
                result.requirements.append(
                    Requirement(
                        name: name, extras: extras, specifier: specifier, marker: marker,
                        file: path, line: line.number))
                result.warnings += notes.map { "\(location): \($0)" }
            case .ignored(let why):
                result.warnings.append("\(location): \(why)")
            }
        }
        finished.insert(path)
    }
}
