import AmanatCrypto
import AmanatKeys
import ArgumentParser
import Glibc

/// The passphrase for a new key file (init, passwd, combine): from `file`, generated when `generate`, or asked for
/// with `prompt`. A passphrase estimated too weak is refused (``PassphraseStrength``): there is no flag to accept
/// one, since a weak passphrase on a stolen key file gives up every testimony sealed to it, and a strong one costs
/// the key holder only a generated phrase or a few more words.
func chooseNewPassphrase(file: String?, generate: Bool, prompt: String) -> SecretBytes {
    let choice: Passphrase.Choice = if generate { .generate } else if let file { .file(file) } else { .prompt(prompt) }
    do {
        return try Passphrase.choose(choice)
    } catch {
        guard let hint = error.hint else { fail(error.description) }
        printError("error: \(error.description)")
        printError("hint: \(hint)")
        exit(Exit.failure)
    }
}

/// `--generate-passphrase` shows the passphrase on the terminal, so it excludes reading one from a file.
func validateGenerating(_ generate: Bool, file: String?, option: String) throws {
    if generate && file != nil {
        throw ValidationError("--generate-passphrase shows the passphrase on the terminal; drop \(option)")
    }
}

/// The help text of every command's `--generate-passphrase`.
let generatePassphraseHelp: ArgumentHelp = """
    Make the passphrase: six random words from the EFF list (about 77 bits), shown once on the terminal, then typed \
    back. Enter alone at the passphrase prompt does the same.
    """
