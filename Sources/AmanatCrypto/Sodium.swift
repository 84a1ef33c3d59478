import CSodium

/// libsodium's process-wide initialisation.
public enum Sodium {
    // A global's initialiser runs once, thread-safely, on first use.
    private static let initialised: Bool = sodium_init() >= 0

    /// Initialises libsodium. Call once at start-up and exit if it throws; every other entry point
    /// in this module also checks it, so that no primitive can run on an uninitialised library.
    public static func initialise() throws(CryptoError) {
        guard initialised else { throw CryptoError(.initialisationFailed) }
    }
}
