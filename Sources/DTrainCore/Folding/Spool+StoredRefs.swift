import Foundation
import GitKit

/// Reading a job's payload or results wherever they are kept now: on their own ref while
/// the job is fresh, in the archive of its month once `dtrain gc` folded them.
///
/// Readers pass the job's record rather than a ref name because the record is what says
/// where to look next: its final record's time names the archive.
extension Spool {
    /// The tree that `ref`, a payload or results ref of `job`, holds: from this clone, else
    /// fetched from the remote, else from the archive of the month `job` ended in.
    ///
    /// A ref deleted on the remote between someone's listing and this fetch is no error:
    /// libgit2 fetches nothing for a refspec that matches nothing, and the archive is next.
    func storedTree(_ ref: String, of job: JobRecord) throws -> ObjectID {
        if let tree = try localTree(ref) { return tree }
        if settings.remote != nil {
            try fetchFromRemote(ref)
            if let tree = try localTree(ref) { return tree }
        }

        // Folded away: only a final job's refs ever are, into its month's archive.
        guard let month = job.archiveMonth, let (_, path) = SpoolLayout.archivePath(of: ref)
        else { throw SpoolError.storedRefMissing(job: job.id, ref: ref, archive: nil) }
        let archive = SpoolLayout.archiveRef(month: month)
        if let tree = try archivedTree(path, in: archive) { return tree }
        if settings.remote != nil {
            // FIXME: libgit2 1.5 cannot fetch part of a commit, so reading one folded job
            // downloads its whole month's archive (every job's ZIP, log and outputs of that
            // month) into this clone, once; later reads of that month are local. Bites a
            // submitter on a slow link asking for one old output.
            try fetchFromRemote(archive)
            if let tree = try archivedTree(path, in: archive) { return tree }
        }
        throw SpoolError.storedRefMissing(job: job.id, ref: ref, archive: archive)
    }

    /// The tree of the commit a local ref points at, or nil without one.
    func localTree(_ ref: String) throws -> ObjectID? {
        try repository.reference(ref).map { try repository.commit($0).tree }
    }

    /// The subtree at `path` of this clone's copy of `archive`, or nil.
    func archivedTree(_ path: String, in archive: String) throws -> ObjectID? {
        guard let tree = try localTree(archive),
            let entry = try repository.entry(in: tree, path: path), entry.isTree
        else { return nil }
        return entry.id
    }

    /// The job's ZIP from wherever its payload is kept, checked against the blob id its
    /// manifest recorded at submission (the ref's name comes from the layout, never from
    /// the manifest, so a forged manifest cannot send a worker fetching another ref).
    public func readPayload(of job: JobRecord) throws -> Data {
        let ref = SpoolLayout.payloadRef(job: job.id)
        guard let blob = ObjectID(hex: job.manifest.payload.blob) else {
            throw SpoolError.malformed(path: job.id, why: "bad payload blob id")
        }
        let tree = try storedTree(ref, of: job)
        guard try repository.entry(in: tree, path: SpoolLayout.payloadPath(job.id))?.id == blob
        else {
            throw SpoolError.malformed(
                path: ref, why: "it does not hold the ZIP the manifest names")
        }
        return try repository.blob(blob)
    }
}
