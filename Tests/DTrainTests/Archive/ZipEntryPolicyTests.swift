import ArchiveKit
import Testing

@Suite("ZIP entry rules")
struct ZipEntryPolicyTests {
    static func file(_ name: String) -> ZipEntry {
        ZipEntry(pathname: name, kind: .regular, declaredSize: 1, linkTarget: nil)
    }

    @Test(
        "paths are normalised or refused",
        arguments: [
            ("main.py", EntryVerdict.accept(path: "main.py")),
            ("./proj//src/./a.py", .accept(path: "proj/src/a.py")),
            ("../x", .reject(.parentComponent)),
            ("a/../../x", .reject(.parentComponent)),
            ("a\\..\\..\\x", .reject(.parentComponent)),
            ("/etc/x", .reject(.absolutePath)),
            ("\\windows\\x", .reject(.absolutePath)),
            ("C:/x", .reject(.absolutePath)),
            ("__MACOSX/proj/._main.py", .ignore),
            ("__MACOSX/../../x", .reject(.parentComponent)),
            ("proj/._main.py", .ignore),
            ("proj/.DS_Store", .ignore),
            ("proj/.DS_Store_not", .accept(path: "proj/.DS_Store_not")),
            ("./", .reject(.emptyName)),
        ])
    func paths(name: String, verdict: EntryVerdict) {
        #expect(ZipEntryPolicy.screen(Self.file(name)) == verdict)
    }

    @Test(
        "only files and folders pass",
        arguments: [
            (ZipEntry.Kind.directory, EntryVerdict.accept(path: "e")),
            (.symlink, .reject(.symlink(target: "t"))),
            (.hardlink, .reject(.hardlink(target: "t"))),
            (.characterDevice, .reject(.device)),
            (.blockDevice, .reject(.device)),
            (.fifo, .reject(.fifo)),
            (.socket, .reject(.socket)),
            (.other(0o170000), .reject(.unsupportedType(0o170000))),
        ])
    func kinds(kind: ZipEntry.Kind, verdict: EntryVerdict) {
        let entry = ZipEntry(pathname: "e", kind: kind, declaredSize: 0, linkTarget: "t")
        #expect(ZipEntryPolicy.screen(entry) == verdict)
    }

    @Test("a folder entry that names nothing is ignored, not refused")
    func emptyDirectory() {
        let entry = ZipEntry(pathname: "./", kind: .directory, declaredSize: 0, linkTarget: nil)
        #expect(ZipEntryPolicy.screen(entry) == .ignore)
    }
}
