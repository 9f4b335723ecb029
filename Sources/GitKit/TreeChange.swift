/// One edit to a tree, by full slash-separated path from the root
/// (`jobs/abc/job.json`).
public enum TreeChange: Sendable, Equatable {
    /// Puts `blob` at `path` as a regular file, creating intermediate
    /// directories.
    case upsert(path: String, blob: ObjectID)
    /// Puts the existing tree `tree` at `path` as a directory: a whole subtree is grafted
    /// in by id, so nothing under it is read or written again.
    case upsertTree(path: String, tree: ObjectID)
    /// Removes the file at `path`; directories left empty disappear with it.
    case remove(path: String)

    public var path: String {
        switch self {
        case .upsert(let path, _), .upsertTree(let path, _), .remove(let path): path
        }
    }
}

/// One entry of a tree: a file (blob) or a directory (tree).
public struct TreeEntry: Sendable, Equatable {
    public var name: String
    public var id: ObjectID
    public var isTree: Bool

    public init(name: String, id: ObjectID, isTree: Bool) {
        self.name = name
        self.id = id
        self.isTree = isTree
    }
}
