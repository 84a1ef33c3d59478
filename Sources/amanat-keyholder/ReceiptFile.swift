import AmanatArchive
import AmanatCrypto
import AmanatFormat
import AmanatJSON
import Foundation

/// A witness's receipt, read from a file of `verify --receipts DIR`: the receipt object (FORMAT.md §12.6), or the
/// whole answer of `amanat submit --json` holding it as `receipt`, as `amanat receipt verify` reads them.
struct ReceiptFile {
    var path: String
    var receipt: Receipt

    /// Every `*.json` file in `directory`, in name order; exits 1 on one that cannot be read or is no receipt, or
    /// when there is none.
    static func readAll(_ directory: String) -> [ReceiptFile] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") }.sorted()
        } catch {
            fail("--receipts \(directory): cannot read the directory")
        }
        guard !names.isEmpty else { fail("--receipts \(directory): no receipt files (*.json) in it") }
        return names.map { name in
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            guard let data = FileManager.default.contents(atPath: path), data.count <= 1 << 16 else {
                fail("receipt \(path): cannot be read, or is larger than 64 KiB")
            }
            guard var value = try? JSONParser(maxDepth: 8).parse([UInt8](data)) else { fail("receipt \(path) is not JSON") }
            if case .object(let members) = value, let inner = members["receipt"] { value = inner }
            do {
                return ReceiptFile(path: path, receipt: try Receipt(json: value))
            } catch {
                fail("receipt \(path) is not a receipt: \(error)")
            }
        }
    }

    /// Why the intact archive `report` of the receipt's site does not bear the receipt out; nil when it does. The
    /// receipt's entry must have been watched.
    func problem(in report: VerificationReport) -> String? {
        guard let site = report.siteKey, receipt.isValid(for: site) else {
            return "its signature does not verify: it was altered or forged"
        }
        guard receipt.seq <= report.entries else {
            return "record \(receipt.recordID) was stored as ledger entry \(receipt.seq), but the archive ends at entry "
                + "\(report.entries): the archive was cut after it (entries \(report.entries + 1) to at least "
                + "\(receipt.seq) are gone)"
        }
        guard let entry = report.watched[receipt.seq], entry.kind == .record, entry.recordID == receipt.recordID,
              constantTimeEqual(entry.entryHash, receipt.entryHash)
        else {
            return "ledger entry \(receipt.seq) is not the receipt's (record \(receipt.recordID)): the ledger was rewritten"
        }
        return nil
    }
}
