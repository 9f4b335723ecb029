import Foundation
import Testing

@testable import GitKit

/// A fresh directory under the system temp dir; tests remove it with `defer`.
func makeTemporaryDirectory(_ label: String = "gitkit") throws -> String {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("\(label)-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func removeDirectory(_ path: String) {
    try? FileManager.default.removeItem(atPath: path)
}

/// The git command's output, used only to check from outside what GitKit wrote.
struct CommandResult {
    var status: Int32
    var output: String
    var errors: String
}

/// Runs a program to completion, collecting stdout and stderr.
func runProgram(
    _ program: String, _ arguments: [String], in directory: String? = nil,
    environment: [String: String]? = nil
) throws -> CommandResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: program)
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    if let environment { process.environment = environment }
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    // Read both pipes before waiting so a chatty child cannot block on a full
    // pipe.
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    let errorData = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CommandResult(
        status: process.terminationStatus,
        output: String(decoding: outputData, as: UTF8.self),
        errors: String(decoding: errorData, as: UTF8.self))
}

/// Runs the git CLI in `directory` (a git dir or work tree) and returns stdout.
@discardableResult
func git(_ arguments: [String], in directory: String) throws -> String {
    let result = try runProgram("/usr/bin/git", arguments, in: directory)
    guard result.status == 0 else {
        throw CLIError(message: "git \(arguments.joined(separator: " ")): \(result.errors)")
    }
    return result.output
}

struct CLIError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// `git fsck --strict` must report nothing wrong.
func expectFsckClean(_ gitDirectory: String, sourceLocation: SourceLocation = #_sourceLocation)
    throws
{
    let result = try runProgram(
        "/usr/bin/git", ["--git-dir", gitDirectory, "fsck", "--strict", "--no-dangling"])
    #expect(result.status == 0, "git fsck: \(result.errors)", sourceLocation: sourceLocation)
    #expect(!result.errors.contains("error"), "\(result.errors)", sourceLocation: sourceLocation)
}

let testAuthor = Signature(
    name: "Test Author", email: "author@example.invalid",
    time: Date(timeIntervalSince1970: 1_700_000_000))

extension Repository {
    /// One commit on top of `parent` with the given files, for building
    /// histories.
    func commitFiles(
        _ files: [String: String], parent: ObjectID?, message: String
    ) throws -> ObjectID {
        let base = try parent.map { try commit($0).tree }
        var changes: [TreeChange] = []
        for (path, text) in files {
            changes.append(.upsert(path: path, blob: try createBlob(Data(text.utf8))))
        }
        let tree = try updateTree(base, changes)
        return try createCommit(
            tree: tree, parents: parent.map { [$0] } ?? [], message: message, author: testAuthor)
    }
}
