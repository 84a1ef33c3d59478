public import AmanatForms
import AmanatJSON
import AmanatTOML
extension Form {
    /// Reads and checks a form file (TOML; the format is in docs/FORMAT.md). Unknown keys are errors.
    public init(toml text: String) throws(FormError) {
        let table: TOMLTable
        do {
            table = try StrictTOML.parse(text)
        } catch {
            throw FormError("\(error)")
        }
        do {
            var reader = TOMLTableReader(table, path: "")
            let id = try reader.string("id")
            guard Self.isIdentifier(id, allowingHyphen: true) else {
                throw FormError("key \"id\" must match [a-z][a-z0-9_-]{0,63}")
            }
            let version = try reader.integer("version")
            guard version >= 1 && version <= Int64(Int32.max) else { throw FormError("key \"version\" must be >= 1") }
            let title = try LocalizedText(reader.table("title"), path: "title")
            var description: LocalizedText?
            if let table = try reader.optionalTable("description") {
                description = try LocalizedText(table, path: "description")
            }
            let fieldTables = try reader.tableArray("fields")
            var minimumPaddedSizes = Form.defaultMinimumPaddedSizes
            if let table = try reader.optionalTable("min_padded_bytes") {
                var paddingReader = TOMLTableReader(table, path: "min_padded_bytes")
                for section in [Section.identity, .testimony] {
                    guard let size = try paddingReader.optionalInteger(section.rawValue) else { continue }
                    guard size <= Int64(Form.largestMinimumPaddedSize), Form.isValidMinimumPaddedSize(Int(size)) else {
                        throw FormError(
                            "key \"min_padded_bytes.\(section.rawValue)\" must be a padding bucket up to 64 KiB: a power of "
                                + "two from 512 to 65536"
                        )
                    }
                    minimumPaddedSizes[section] = Int(size)
                }
                try paddingReader.finish()
            }
            var attachmentsSealedTo = Section.identity
            if let name = try reader.optionalString("attachments_sealed_to") {
                guard let section = Section(rawValue: name), section != .clear else {
                    throw FormError("key \"attachments_sealed_to\" must be \"identity\" or \"testimony\"")
                }
                attachmentsSealedTo = section
            }
            try reader.finish()
            var fields: [FormField] = []
            for (index, fieldTable) in fieldTables.enumerated() {
                fields.append(try FormField(fieldTable, path: "fields[\(index)]", parentSection: nil))
            }
            try Self.checkUniqueNames(fields, path: "fields")
            guard fields.contains(where: { $0.section != .clear }) else {
                throw FormError("a form needs at least one sealed field")
            }
            self.init(
                id: id, version: Int(version), title: title, description: description, fields: fields,
                minimumPaddedSizes: minimumPaddedSizes, attachmentsSealedTo: attachmentsSealedTo
            )
        } catch let error as FormError {
            throw error
        } catch {
            throw FormError("\(error)")
        }
    }
}

extension FormField {
    init(_ table: TOMLTable, path: String, parentSection: Section?) throws {
        var reader = TOMLTableReader(table, path: path)
        let name = try reader.string("name")
        guard Form.isIdentifier(name, allowingHyphen: false) else {
            throw FormError("key \"\(path).name\" must match [a-z][a-z0-9_]{0,63}")
        }
        let where_ = "\(path) (\(name))"
        let typeName = try reader.string("type")
        guard let type = FieldType(rawValue: typeName) else {
            let known = FieldType.allCases.map(\.rawValue).joined(separator: ", ")
            throw FormError("\(where_): unknown type; expected one of \(known)")
        }
        let section: Section
        if let parentSection {
            section = parentSection
            guard type != .records else { throw FormError("\(where_): records cannot be nested") }
        } else {
            let sectionName = try reader.optionalString("section") ?? Section.identity.rawValue
            guard let parsed = Section(rawValue: sectionName) else {
                throw FormError("\(where_): section must be clear, testimony or identity")
            }
            section = parsed
        }
        if section == .clear && ![.enumeration, .enumerationList, .bool].contains(type) {
            // Free text in clear could name someone; only coarse values may stay unsealed.
            throw FormError("\(where_): a clear field must be enum, enum_list or bool")
        }
        let required = try reader.optionalBool("required") ?? false
        let label = try LocalizedText(reader.table("label"), path: "\(path).label")
        var help: LocalizedText?
        if let table = try reader.optionalTable("help") {
            help = try LocalizedText(table, path: "\(path).help")
        }

        var maxLength: Int?
        if type == .line || type == .text {
            let value = try reader.optionalInteger("max_length").map(Int.init) ?? Self.defaultMaxLength[type]!
            guard value >= 1 && value <= 1_000_000 else { throw FormError("\(where_): max_length must be 1...1000000") }
            maxLength = value
        }
        var maxItems: Int?
        if type == .enumerationList || type == .records {
            let value = try reader.optionalInteger("max_items").map(Int.init) ?? Self.defaultMaxItems
            guard value >= 1 && value <= 10_000 else { throw FormError("\(where_): max_items must be 1...10000") }
            maxItems = value
        }
        var options: [FieldOption] = []
        if type == .enumeration || type == .enumerationList {
            let optionTables = try reader.tableArray("options")
            guard !optionTables.isEmpty else { throw FormError("\(where_): needs at least one option") }
            var seen: Set<String> = []
            for (index, optionTable) in optionTables.enumerated() {
                var optionReader = TOMLTableReader(optionTable, path: "\(path).options[\(index)]")
                let value = try optionReader.string("value")
                guard Form.isIdentifier(value, allowingHyphen: false) else {
                    throw FormError("\(where_): option values must match [a-z][a-z0-9_]{0,63}")
                }
                guard seen.insert(value).inserted else { throw FormError("\(where_): option \"\(value)\" is listed twice") }
                let optionLabel = try LocalizedText(optionReader.table("label"), path: "\(path).options[\(index)].label")
                try optionReader.finish()
                options.append(FieldOption(value: value, label: optionLabel))
            }
        }
        var subfields: [FormField] = []
        if type == .records {
            let subTables = try reader.tableArray("fields")
            guard !subTables.isEmpty else { throw FormError("\(where_): records need at least one sub-field") }
            for (index, subTable) in subTables.enumerated() {
                subfields.append(try FormField(subTable, path: "\(path).fields[\(index)]", parentSection: section))
            }
            try Form.checkUniqueNames(subfields, path: where_)
        }
        try reader.finish()
        self.init(
            name: name, type: type, section: section, required: required, maxLength: maxLength, maxItems: maxItems,
            label: label, help: help, options: options, subfields: subfields
        )
    }
}

extension LocalizedText {
    init(_ table: TOMLTable, path: String) throws {
        var reader = TOMLTableReader(table, path: path)
        let en = try reader.string("en")
        let ru = try reader.string("ru")
        let kk = try reader.string("kk")
        try reader.finish()
        guard !en.isEmpty && !ru.isEmpty && !kk.isEmpty else { throw FormError("\(path): a language is empty") }
        self.init(en: en.nfc, ru: ru.nfc, kk: kk.nfc)
    }
}
