import Foundation

/// What a commit says: its tree, parents, message and author.
public struct CommitInfo: Sendable {
    public var id: ObjectID
    public var tree: ObjectID
    public var parents: [ObjectID]
    public var message: String
    public var authorName: String
    public var authorEmail: String
    /// The author time, whole seconds.
    public var time: Date

    public init(
        id: ObjectID, tree: ObjectID, parents: [ObjectID], message: String,
        authorName: String, authorEmail: String, time: Date
    ) {
        self.id = id
        self.tree = tree
        self.parents = parents
        self.message = message
        self.authorName = authorName
        self.authorEmail = authorEmail
        self.time = time
    }
}
