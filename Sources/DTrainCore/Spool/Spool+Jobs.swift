import Foundation
import GitKit

/// What a submitter asks for beyond the ZIP itself.
public struct SubmitOptions: Sendable {
    public var mainScript: String
    public var name: String?
    public var image: String?
    public var timeoutSeconds: Int
    public var resources: JobManifest.Resources

    public init(
        mainScript: String, name: String? = nil, image: String? = nil,
        timeoutSeconds: Int = 3600, resources: JobManifest.Resources = .standard
    ) {
        self.mainScript = mainScript
        self.name = name
        self.image = image
        self.timeoutSeconds = timeoutSeconds
        self.resources = resources
    }
}

extension Spool {
    /// Validates and prices a ZIP without writing anything.
    public func quote(zipAt path: String, mainScript: String) throws -> (JobPackage, Quote) {
        try quote(zipAt: path, mainScript: mainScript, config: snapshot().config())
    }

    private func quote(zipAt path: String, mainScript: String, config: SpoolConfig) throws
        -> (JobPackage, Quote)
    {
        let package = try PackageValidator.validate(
            zipAt: path, mainScript: mainScript, limits: config.limits)
        let quote = try Quote.make(
            package: package, config: config, secondScorer: settings.secondScorer)
        return (package, quote)
    }

    /// Writes a draft job: the ZIP on its own payload ref, then manifest, quote and the
    /// draft record in one commit on `main`. Nothing is written if validation fails.
    public func submit(zipAt path: String, options: SubmitOptions, actor: String) throws
        -> JobRecord
    {
        try Actor.check(actor)
        guard options.timeoutSeconds > 0, options.resources.cpus > 0,
            options.resources.memoryBytes > 0, options.resources.gpus >= 0
        else {
            throw SpoolError.invalidValue("timeout, CPUs and memory must be positive")
        }
        guard options.resources.memoryBytes >= JobManifest.Resources.minimumMemoryBytes else {
            throw SpoolError.invalidValue(
                "memory must be at least 6 MiB (Docker's minimum), e.g. --memory 512m")
        }
        if let name = options.name, !Self.isPrintableName(name) {
            throw SpoolError.invalidValue(
                "job name \(name.debugDescription) must be 1 to 200 characters on one line, "
                    + "without control characters")
        }
        let config = try snapshot().config()
        let image = options.image ?? config.defaultImage
        guard ImageReference.isValid(image) else { throw SubmissionError.invalidImage(image) }
        let (package, quote) = try self.quote(
            zipAt: path, mainScript: options.mainScript, config: config)
        let id = Identifier.make()

        // The payload first: if the process dies here, an unreferenced ref is all that is left,
        // and no record on main ever points at a ZIP that is missing.
        let blob = try repository.createBlob(package.zip)
        let payloadTree = try repository.updateTree(
            nil, [.upsert(path: SpoolLayout.payloadPath(id), blob: blob)])
        let payloadCommit = try repository.createCommit(
            tree: payloadTree, parents: [], message: "Payload of job \(id)",
            author: Actor.signature(actor))
        let payloadRef = SpoolLayout.payloadRef(job: id)
        try repository.setReference(
            payloadRef, to: payloadCommit, expected: nil, message: "dtrain submit")

        let now = Date()
        let manifest = JobManifest(
            formatVersion: SpoolConfig.currentFormatVersion, id: id,
            name: options.name
                ?? URL(fileURLWithPath: path).deletingPathExtension()
                .lastPathComponent,
            owner: actor, createdAt: Timestamp.iso(now), main: package.mainScript,
            image: image, timeoutSeconds: options.timeoutSeconds,
            resources: options.resources,
            payload: .init(
                ref: payloadRef, blob: blob.hex, bytes: package.zipBytes, root: package.root,
                files: package.files.count, inflatedBytes: package.totalInflated))
        let draft = StateRecord(
            job: id, seq: 1, state: .draft, at: Timestamp.iso(now), by: actor)
        let price = config.currency.format(quote.price)
        try write(actor: actor, message: "Submit job \(id) '\(manifest.name)' (\(price))") { _ in
            [
                try record(manifest, at: SpoolLayout.manifestPath(id)),
                try record(quote, at: SpoolLayout.quotePath(id)),
                try record(draft, at: SpoolLayout.statePath(id, seq: 1, state: .draft)),
            ]
        }
        return JobRecord(manifest: manifest, quote: quote, records: [draft])
    }

    /// Publishes a draft: reserves its price from the owner into the job's escrow in the same
    /// commit as the `published` record, so a job is never published without funds.
    @discardableResult
    public func publish(job id: String, actor: String) throws -> JobRecord {
        var result: JobRecord?
        try write(actor: actor, message: "Publish job \(id)") { snapshot in
            var job = try snapshot.requireJob(id)
            try requireOwnerOrAdmin(job, actor: actor, snapshot: snapshot)
            let reserve = LedgerEntry.reserve(
                job: id, user: job.manifest.owner, price: job.price, by: actor,
                at: Timestamp.iso())
            let published = try job.transition(to: .published, by: actor, entry: reserve.id)
            try checkLedger([reserve], at: snapshot)
            job.records.append(published)
            result = job
            return [
                try record(
                    published,
                    at: SpoolLayout.statePath(
                        id, seq: published.seq, state: .published)),
                try record(reserve, at: SpoolLayout.ledgerPath(entry: reserve.id)),
            ]
        }
        return result!
    }

    /// Cancels a draft, or a published job nobody has claimed (releasing its escrow).
    @discardableResult
    public func cancel(job id: String, actor: String, reason: String?) throws -> JobRecord {
        var result: JobRecord?
        try write(actor: actor, message: "Cancel job \(id)") { snapshot in
            var job = try snapshot.requireJob(id)
            try requireOwnerOrAdmin(job, actor: actor, snapshot: snapshot)
            var entries: [LedgerEntry] = []
            if job.state == .published {
                let escrow = try ledgerBalance(.escrow(job: id), at: snapshot)
                let release = LedgerEntry.release(
                    job: id, user: job.manifest.owner, amount: escrow, by: actor,
                    at: Timestamp.iso())
                try checkLedger(
                    [release], at: snapshot, reservations: [id: job.manifest.owner])
                entries.append(release)
            }
            let cancelled = try job.transition(
                to: .cancelled, by: actor, note: reason, entry: entries.first?.id)
            job.records.append(cancelled)
            result = job
            return try changes(for: cancelled, entries: entries)
        }
        return result!
    }

    /// A job name is printed in tables, `show` and commit subjects: a newline or
    /// an escape sequence in it would forge lines there. Spaces are fine.
    static func isPrintableName(_ name: String) -> Bool {
        (1...200).contains(name.count)
            && name.unicodeScalars.allSatisfy {
                $0.properties.generalCategory != .control
                    && $0.properties.generalCategory != .format
                    && $0.properties.generalCategory != .lineSeparator
                    && $0.properties.generalCategory != .paragraphSeparator
            }
    }

    func requireOwnerOrAdmin(_ job: JobRecord, actor: String, snapshot: SpoolSnapshot) throws {
        let admins = try snapshot.config().admins
        guard job.manifest.owner == actor || admins.contains(actor) else {
            throw SpoolError.notPermitted(
                "job \(job.id) belongs to \(job.manifest.owner); \(actor) may not change it")
        }
    }
}
