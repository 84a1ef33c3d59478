extension ServerConfiguration {
    /// The settings as TOML, the form `amanatd --check-config` prints: one line a setting from `Setting.all`,
    /// with `catalog` naming the forms that loaded.
    public func effectiveSettings(catalog: FormCatalog) -> String {
        var lines: [String] = []
        var table = ""
        for setting in Setting.all {
            guard let effective = setting.effective?(self, catalog) else { continue }
            let (settingTable, name) = setting.tableAndName
            if settingTable != table {
                lines += ["", "[\(settingTable)]"]
                table = settingTable
            }
            lines.append("\(name) = \(effective.value.toml)" + (effective.comment.map { "  # \($0)" } ?? ""))
        }
        return lines.joined(separator: "\n")
    }
}
