import AmanatArchive
import AmanatCrypto
import AmanatFormat
import ArgumentParser

/// `--heads FILE`: where the last verified head of each site is kept (``KnownHeads``), for verify, open and rewrap.
struct HeadsOption: ParsableArguments {
    @Option(
        name: .customLong("heads"),
        help: """
            The file of each site's last verified ledger head, which an archive must extend and whose keys pin the \
            sites when no --signing-key is given (default $XDG_STATE_HOME/amanat/heads, else \
            ~/.local/state/amanat/heads).
            """
    )
    var path: String?

    /// The file, read (empty when absent); exits 1 when it cannot be used.
    func load() -> KnownHeads {
        guard let path = path ?? KnownHeads.defaultPath else { fail("neither XDG_STATE_HOME nor HOME is set: give --heads FILE") }
        do {
            return try KnownHeads(path: path)
        } catch {
            fail(error.description)
        }
    }
}

/// Refuses (a usage error) to verify with no site key to verify against: none given, none remembered.
func requirePinnedKey(_ signing: SigningKeyOption, _ heads: HeadsOption, noVerify: Bool) throws {
    guard !noVerify, signing.texts.isEmpty else { return }
    let known = heads.load()
    guard known.sites.isEmpty else { return }
    throw ValidationError(
        "no site key to verify against: give --signing-key (from `amanat signing-key` on the intake host), verify an "
            + "export with it first so that it is remembered in \(known.path), or --no-verify"
    )
}

/// What a run checks the archives' ends against: heads the user expects, the heads remembered from earlier runs,
/// and witnesses' receipts. Without any of them a copy cut back to an older signed checkpoint verifies as intact.
struct EndChecks {
    /// `--expect-head`: each site's longest archive must hold each of these entries unchanged.
    var expected: [LedgerHead] = []
    /// The heads file: each site's longest archive must hold the site's remembered head unchanged.
    var known: KnownHeads
    /// `--receipts`: each receipt's entry must be in its site's archive unchanged.
    var receipts: [ReceiptFile] = []

    /// The entries the verifier must keep for these checks.
    var watching: Set<Int64> {
        Set(expected.map(\.seq) + known.sites.compactMap { known.head(of: $0)?.seq } + receipts.map(\.receipt.seq))
    }

    /// The sites' keys to verify against: those given, else those remembered.
    func pinned(_ signing: SigningKeyOption) -> [SigningPublicKey] {
        signing.keys.isEmpty ? known.sites : signing.keys
    }

    /// Marks broken each site's longest intact archive that does not hold an expected head, its site's remembered
    /// head, or the entry of one of the site's receipts; returns notes on receipts that could not be checked.
    func check(_ archives: inout [VerifiedArchive], pinned: [SigningPublicKey]) -> [String] {
        let longest = longestPerSite(archives)
        for (site, index) in longest {
            let report = archives[index].report
            var failure: String?
            for head in expected {
                guard failure == nil, let why = report.missing(head) else { continue }
                failure = "it does not hold the expected head \(head) (--expect-head): \(why)"
            }
            if failure == nil, let head = known.head(of: site), let why = report.missing(head) {
                failure = "it does not extend the head \(head) verified before for this site (remembered in "
                    + "\(known.path)): \(why)"
            }
            archives[index].report.failure = failure
        }
        var notes: [String] = []
        for file in receipts {
            let site = file.receipt.signingKey
            guard let index = longest[site] else {
                notes.append(
                    pinned.contains(site)
                        ? "receipt \(file.path) is for site \(site.text), of which no intact archive was given: not checked"
                        : "receipt \(file.path) is signed by \(site.text), which is not a pinned --signing-key: not checked"
                )
                continue
            }
            guard archives[index].report.failure == nil else { continue }
            archives[index].report.failure = file.problem(in: archives[index].report).map { "receipt \(file.path): \($0)" }
        }
        return notes
    }

    /// After a run in which everything verified: remembers each site's newest head; returns what to tell the user.
    mutating func remember(_ archives: [VerifiedArchive]) -> [String] {
        var notes: [String] = []
        var changed = false
        for (site, index) in longestPerSite(archives) {
            let head = archives[index].report.head
            let before = known.head(of: site)
            guard before == nil || before!.seq < head.seq else { continue }
            known.remember(head, for: site)
            changed = true
            if before == nil {
                notes.append(
                    "first verify of site \(site.text): remembered its head \(head) in \(known.path); later archives of "
                        + "this site must extend it"
                )
            }
        }
        if changed {
            do {
                try known.save()
            } catch {
                fail(error.description)
            }
        }
        return notes
    }

    /// Per site, the intact archive with the most entries (the first such): the others were compared with it.
    private func longestPerSite(_ archives: [VerifiedArchive]) -> [SigningPublicKey: Int] {
        var longest: [SigningPublicKey: Int] = [:]
        for (index, archive) in archives.enumerated() where archive.report.isIntact {
            guard let site = archive.report.siteKey else { continue }
            if let other = longest[site], archives[other].report.entries >= archive.report.entries { continue }
            longest[site] = index
        }
        return longest
    }
}

extension VerificationReport {
    /// Why this intact archive does not hold `head` unchanged; nil when it does. The entry must have been watched.
    func missing(_ head: LedgerHead) -> String? {
        guard head.seq <= entries else {
            return "the ledger ends at entry \(entries), so entries after it were cut off"
        }
        let hash = head.seq == 0 ? siteKey.map(Ledger.genesis) : watched[head.seq]?.entryHash
        guard let hash, constantTimeEqual(hash, head.hash) else {
            return "its entry \(head.seq) has another hash, so the ledger was rewritten (or the head belongs to another site)"
        }
        return nil
    }
}
