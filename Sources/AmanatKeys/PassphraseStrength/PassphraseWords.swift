/// The word lists the passphrase estimator knows and the generator draws from, each a string of words separated by
/// whitespace (a string literal compiles in a fraction of the time of a 10,000-element array literal).
///
/// Where each list comes from, and its licence, is in the header of its file. The lists are public data: they
/// hold no secret and are split into ordinary `String`s.
enum PassphraseWords {
    /// The words of `list`, in order.
    static func words(_ list: String) -> [Substring] {
        list.split(whereSeparator: { $0 == " " || $0 == "\n" })
    }
}
