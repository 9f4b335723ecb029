import DTrainCore
import Foundation
import GitKit

extension BenchSpool {
    /// A clone that borrows the remote's object database
    /// (`objects/info/alternates`) instead of downloading it, then follows the
    /// remote with a real `fetchMain()`.
    ///
    /// Setup only: copying a synthetic 100,000-job history into each clone
    /// would cost minutes of packing that a real clone pays once, not per
    /// submit or claim. Objects the clone writes itself still land in its own
    /// database and are pushed for real.
    func borrowedClone(_ name: String) throws -> Spool {
        let path = directory + "/" + name
        let gitDirectory = path + "/.git"
        _ = try Repository.create(at: gitDirectory, bare: true)
        let alternates = gitDirectory + "/objects/info/alternates"
        try FileManager.default.createDirectory(
            atPath: gitDirectory + "/objects/info", withIntermediateDirectories: true)
        try Data((remote + "/objects\n").utf8).write(to: URL(fileURLWithPath: alternates))

        // Reopened, so libgit2 reads the alternates; main starts at the
        // remote's tip.
        let remoteRepository = try Repository.openExactly(at: remote)
        guard let tip = try remoteRepository.reference(SpoolLayout.mainRef) else {
            throw BenchFailure("the remote has no main")
        }
        let repository = try Repository.openExactly(at: gitDirectory)
        try repository.setReference(
            SpoolLayout.mainRef, to: tip, expected: nil, message: "dtrain-bench clone")
        let spool = try Spool.open(at: path)
        try spool.updateSettings {
            $0.remote = remote
            $0.user = name
        }
        try spool.fetchMain()
        return spool
    }
}
