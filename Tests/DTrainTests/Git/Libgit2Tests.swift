import CGit2
import Testing

@testable import GitKit

@Suite("GitKit libgit2 set-up")
struct Libgit2Tests {
    @Test("git_libgit2_opts is really reached: fsync accepted, nonsense refused")
    func options() throws {
        try Libgit2.start()
        let fsync = Int32(GIT_OPT_ENABLE_FSYNC_GITDIR.rawValue)
        #expect(Libgit2.setOption(fsync, 1) == 0)

        // The pack limit set at start-up reads back through the GET option.
        var limit = 0
        let get = Int32(GIT_OPT_GET_MWINDOW_FILE_LIMIT.rawValue)
        #expect(Libgit2.getOption(get, size: &limit) == 0)
        #expect(limit == Libgit2.mappedPackLimit)

        // An unknown option makes libgit2 itself answer with an error message,
        // which proves the call went through to the library.
        let refused = Libgit2.setOption(9_999, 0)
        #expect(refused < 0)
        let error = GitError.last(code: refused, function: "git_libgit2_opts")
        #expect(error.message.contains("option"), "\(error)")
    }
}
