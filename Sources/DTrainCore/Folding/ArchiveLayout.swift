import Foundation

/// Where a finished job's payload and results go once they are folded off their own refs:
/// one archive ref per month (see `spool/README.md`).
///
/// The month is the UTC month of the job's final state record. That record is immutable, so
/// every clone — the one folding, the one reading years later — computes the same month and
/// finds the job without any index of where things went.
extension SpoolLayout {
    public static let archiveRefPrefix = "refs/dtrain/archive/"

    /// `refs/dtrain/archive/2026-12`.
    public static func archiveRef(month: String) -> String {
        archiveRefPrefix + month
    }

    /// `2026-12`: the UTC month of `date`.
    public static func month(of date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        let parts = calendar.dateComponents([.year, .month], from: date)
        return String(format: "%04d-%02d", parts.year ?? 0, parts.month ?? 0)
    }

    /// Where the tree of a job's payload or results ref is kept inside its month's archive:
    /// `<job>/payload` or `<job>/results/<attempt>`. Nil for every other ref, so a listing
    /// of the remote can be sorted into "foldable" and "not ours to fold" in one pass.
    public static func archivePath(of ref: String) -> (job: String, path: String)? {
        if ref.hasPrefix(payloadRefPrefix) {
            let job = String(ref.dropFirst(payloadRefPrefix.count))
            guard Identifier.isValid(job) else { return nil }
            return (job, job + "/payload")
        }
        if ref.hasPrefix(Spool.resultRefPrefix) {
            let parts = ref.dropFirst(Spool.resultRefPrefix.count).split(
                separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, Identifier.isValid(String(parts[0])),
                !parts[1].isEmpty, parts[1].allSatisfy({ $0.isASCII && $0.isNumber })
            else { return nil }
            return (String(parts[0]), "\(parts[0])/results/\(parts[1])")
        }
        return nil
    }
}

extension JobRecord {
    /// When the job became final: the time of its final record; nil while it is not final.
    public var endedAt: Date? {
        guard state.isFinal, let last = records.last else { return nil }
        return Timestamp.parse(last.at)
    }

    /// The month whose archive ref holds this job's payload and results once they are
    /// folded: the UTC month of its final record. Nil while the job is not final (nothing
    /// of it is ever folded then) or when that record's time cannot be read.
    public var archiveMonth: String? {
        endedAt.map(SpoolLayout.month(of:))
    }
}
