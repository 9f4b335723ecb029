import Foundation
import Testing

/// A spool made with the real command line and published to a bare remote on disk, as
/// `dtrain init DIR --remote URL` does for a lab: the admin's clone is `spool`. With
/// `gitInitFirst`, the remote is an empty repository `git init --bare` made beforehand.
struct PublishedSpool {
    let directory: TemporaryDirectory
    let remote: String
    let spool: String

    init(_ label: String, gitInitFirst: Bool = false) throws {
        directory = try TemporaryDirectory(label)
        remote = directory.file("remote.git")
        spool = directory.file("admin")
        if gitInitFirst {
            let made = try Processes.git(["init", "--bare", "-q", "-b", "main", remote])
            try #require(made.status == 0, "\(made.stderr)")
        }
        let created = try Processes.dtrain(
            ["init", spool, "--remote", remote, "--as", "admin", "--admin", "admin"])
        try #require(created.status == 0, "\(created.stderr)")
    }
}
