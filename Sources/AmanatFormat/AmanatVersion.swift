/// The version of Amanat, which amanatd, amanat and amanat-keyholder all report (`--version`, `/v1/health`).
public enum AmanatVersion {
    /// The version text, `MAJOR.MINOR.PATCH`.
    public static let text = "0.1.0"
}
