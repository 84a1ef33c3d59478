import AmanatCrypto
import AmanatKeys

/// Reads every key file, then unlocks each (one passphrase file for all, or a prompt per key). Every key is
/// unlocked before any output, so a wrong passphrase leaves no partial output.
func unlockKeys(_ keys: [String], passphraseFile: String?) -> [RecipientSecretKey] {
    var files: [SecretKeyFile] = []
    for path in keys {
        do {
            files.append(try SecretKeyFile.read(path: path))
        } catch {
            fail(error.description, code: exitStatus(for: error))
        }
    }
    var shared: SecretBytes?
    if let passphraseFile {
        do {
            shared = try Passphrase.read(file: passphraseFile)
        } catch {
            fail(error.description)
        }
    }
    var unlocked: [RecipientSecretKey] = []
    for (path, file) in zip(keys, files) {
        do {
            let passphrase: SecretBytes
            if let shared {
                passphrase = shared
            } else {
                passphrase = try Passphrase.prompt("passphrase for \(path): ", confirm: false)
            }
            unlocked.append(try file.unlock(passphrase: passphrase))
        } catch let error as KeyFileError {
            var named = error
            named.path = path
            fail(named.description, code: exitStatus(for: named))
        } catch {
            fail("\(error)")
        }
    }
    return unlocked
}
