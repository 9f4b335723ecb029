import DTrainCore
import Foundation

/// Commands that move money: credits, payouts, and reading wallets.
enum LedgerCommands {
    static let all: [CommandSpec] = [credit, payout, wallet]

    static let credit = CommandSpec(
        name: "credit", summary: "Top up a user's account (admins only).",
        usage: "dtrain credit USER AMOUNT [--memo TEXT]",
        options: [OptionSpec(name: "memo", value: "TEXT", help: "why, kept in the entry")],
        maxPositionals: 2,
        details: "AMOUNT is in major units: 250 or 99.50.\nexample: dtrain credit alice 500"
    ) { invocation, context in
        let spool = try context.openSpool()
        let actor = try context.actor(spool)
        let user = try invocation.requirePositional(0, "USER")
        let currency = try spool.snapshot().config().currency
        let amount = try parseAmount(invocation.requirePositional(1, "AMOUNT"), currency)
        let entry = try spool.credit(
            user: user, amount: amount, memo: invocation.value("memo"), actor: actor)
        try context.deliver(spool)
        let balance = try spool.index().balance(.user(user))
        try context.console.result(entry) {
            "Credited \(user) \(currency.format(amount)); balance \(currency.format(balance))"
        }
        return .ok
    }

    static let payout = CommandSpec(
        name: "payout", summary: "Take earned money out of your worker account.",
        usage: "dtrain payout AMOUNT [--memo TEXT]",
        options: [OptionSpec(name: "memo", value: "TEXT", help: "e.g. a transfer reference")],
        maxPositionals: 1
    ) { invocation, context in
        let spool = try context.openSpool()
        let actor = try context.actor(spool)
        let currency = try spool.snapshot().config().currency
        let amount = try parseAmount(invocation.requirePositional(0, "AMOUNT"), currency)
        let entry = try spool.payout(amount: amount, memo: invocation.value("memo"), actor: actor)
        try context.deliver(spool)
        let balance = try spool.index().balance(.worker(actor))
        try context.console.result(entry) {
            "Paid out \(currency.format(amount)) to \(actor); "
                + "worker balance \(currency.format(balance))"
        }
        return .ok
    }

    static let wallet = CommandSpec(
        name: "wallet", summary: "Show an account's balance and history (default: yours).",
        usage: "dtrain wallet [ACCOUNT | --all]",
        options: [
            OptionSpec(
                name: "all", help: "every account's balance (emptied escrows left out)")
        ],
        maxPositionals: 1,
        details: """
            ACCOUNT is a user name, or user:NAME, worker:NAME, escrow:JOB, platform, world.
            Without one: user:YOU; a worker's earnings are in worker:NAME. Balances are
            this clone's as of its last 'dtrain sync'.
            example: dtrain wallet worker:gpu-01
            """
    ) { invocation, context in
        let spool = try context.openSpool()
        let index = try spool.index()
        let currency = try spool.snapshot().config().currency
        if invocation.flag("all") {
            if let named = invocation.positional(0) {
                throw UsageError(
                    "give an ACCOUNT or --all, not both ('\(named)')", command: invocation.command)
            }
            // A finished job's escrow is empty for good: listing every one ever made would
            // bury the accounts that hold money.
            let rows = try index.balances().filter {
                !($0.account.kind == .escrow && $0.balance == 0)
            }
            let payload = rows.map {
                WalletLine(account: $0.account.description, balance: $0.balance)
            }
            try context.console.result(payload) {
                Table.render(
                    header: ["ACCOUNT", "BALANCE"],
                    rows: rows.map { [$0.account.description, currency.format($0.balance)] })
            }
            return .ok
        }
        let text = try invocation.positional(0) ?? context.actor(spool)
        // A bare name is a user; anything with a colon must be a whole account name.
        let named = text.contains(":") || ["platform", "world"].contains(text)
        guard let account = named ? Account(text) : Account("user:" + text),
            account.isWellFormed
        else {
            throw UsageError("'\(text)' is not an account", command: invocation.command)
        }
        let balance = try index.balance(account)
        let movements = try index.movements(of: account)
        let report = WalletReport(
            account: account.description, balance: balance, currency: currency.code,
            movements: movements)
        try context.console.result(report) {
            var lines = ["\(account): \(currency.format(balance))"]
            for move in movements {
                // One sign in front of every movement: "+INR 5.00", "-INR 20.00".
                let sign = move.amount >= 0 ? "+" : "-"
                let amount = currency.format(move.amount == .min ? .max : abs(move.amount))
                var line = "  \(move.at)  \(sign)\(amount)  \(move.kind)"
                if let job = move.job { line += " job \(job)" }
                if let memo = move.memo { line += " — \(memo)" }
                lines.append(line)
            }
            return lines.joined(separator: "\n")
        }
        return .ok
    }

    static func parseAmount(_ text: String, _ currency: SpoolConfig.Currency) throws -> Int64 {
        guard let amount = Quantities.money(text, minorPerMajor: currency.minorPerMajor),
            amount > 0
        else { throw SpoolError.invalidAmount(text) }
        return amount
    }
}

struct WalletLine: Encodable {
    var account: String
    var balance: Int64
}

struct WalletReport: Encodable {
    var account: String
    var balance: Int64
    var currency: String
    var movements: [AccountMovement]
}
