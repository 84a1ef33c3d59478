import AmanatProtocol
import ArgumentParser

extension Amanat {
    struct ImportRewrap: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import-rewrap",
            abstract: "Admins: replace envelopes with those of a rewrap file from amanat-keyholder rewrap.",
            discussion: """
                amanatd checks the whole file (its digest, every envelope's structure, section and record, and the
                key holder's signature, which must be by a key in its rewrap_signers) and replaces the envelopes in
                one transaction: all of them, or none. Each record's rewrap ledger entry names the signer.
                """
        )

        @OptionGroup var options: GlobalOptions
        @Argument(help: "The rewrap file, or - for standard input.") var file: String

        func run() throws {
            let body = readInput(file, limit: 1 << 30)
            var options = self.options
            options.timeoutSeconds = 3_600
            let response = perform(options, "POST", Endpoint.adminRewrap, body: body, contentType: "application/x-ndjson")
            if options.json {
                printBody(response.body)
                return
            }
            guard case .object(let answer) = parseJSON(response.body), case .number(let count)? = answer["replaced"] else {
                fail("malformed answer from amanatd")
            }
            print("replaced the envelopes of \(count) records")
        }
    }
}
