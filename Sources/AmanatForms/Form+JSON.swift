public import AmanatJSON
extension Form {
    /// The form as served by `GET /v1/forms/{id}`.
    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "id": .string(id),
            "version": .number(String(version)),
            "title": title.json,
            "fields": .array(fields.map(\.json)),
        ]
        if let description { object["description"] = description.json }
        object["min_padded_bytes"] = .object(
            Dictionary(uniqueKeysWithValues: minimumPaddedSizes.map { ($0.key.rawValue, .number(String($0.value))) })
        )
        object["attachments_sealed_to"] = .string(attachmentsSealedTo.rawValue)
        return .object(object)
    }

    /// The short entry in `GET /v1/forms`.
    public var summaryJSON: JSONValue {
        .object(["id": .string(id), "version": .number(String(version)), "title": title.json])
    }
}

extension FormField {
    var json: JSONValue {
        var object: [String: JSONValue] = [
            "name": .string(name),
            "type": .string(type.rawValue),
            "section": .string(section.rawValue),
            "required": .bool(required),
            "label": label.json,
        ]
        if let help { object["help"] = help.json }
        if let maxLength { object["max_length"] = .number(String(maxLength)) }
        if let maxItems { object["max_items"] = .number(String(maxItems)) }
        if !options.isEmpty {
            object["options"] = .array(options.map { .object(["value": .string($0.value), "label": $0.label.json]) })
        }
        if !subfields.isEmpty { object["fields"] = .array(subfields.map(\.json)) }
        return .object(object)
    }
}

extension LocalizedText {
    var json: JSONValue {
        .object(["en": .string(en), "ru": .string(ru), "kk": .string(kk)])
    }
}
