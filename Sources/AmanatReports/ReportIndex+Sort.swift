import Foundation

extension ReportIndex {
    /// The lines sorted by `column`, ascending, ties in storage order: text by the alphabet of the index's
    /// language (Unicode collation through ICU: in Kazakh Ә follows А and Қ follows К, case ignored), empty
    /// values last; the received date as written (the stored form sorts by time); the status with the records that
    /// need attention first (tampered, not opened, withdrawn, opened). Each distinct value is compared once
    /// against the others, and the lines are then sorted by its rank, since collation costs microseconds a
    /// comparison.
    public func sorted(by column: Column) -> [Entry] {
        let rank: [Int]
        switch column {
        case .status:
            rank = entries.map { Self.statusRank($0.status) }
        case .received:
            rank = Self.ranks(entries.map(\.received)) { $0 < $1 }
        default:
            let locale = Locale(identifier: language.rawValue)
            rank = Self.ranks(entries.map { $0.value(column) }) { left, right in
                // Values equal but for case keep one order from run to run.
                switch left.compare(right, options: [.caseInsensitive], range: nil, locale: locale) {
                case .orderedAscending: true
                case .orderedDescending: false
                case .orderedSame: left < right
                }
            }
        }
        return entries.indices.sorted { rank[$0] != rank[$1] ? rank[$0] < rank[$1] : $0 < $1 }.map { entries[$0] }
    }

    /// The rank of each of `values` among the distinct ones ordered by `precedes`, the empty value last.
    private static func ranks(_ values: [String], by precedes: (String, String) -> Bool) -> [Int] {
        let distinct = Set(values).subtracting([""]).sorted(by: precedes)
        var rankOf = Dictionary(uniqueKeysWithValues: distinct.enumerated().map { ($1, $0) })
        rankOf[""] = distinct.count
        return values.map { rankOf[$0]! }
    }

    private static func statusRank(_ status: OpenedRecord.Status) -> Int {
        switch status {
        case .tampered: 0
        case .unopened: 1
        case .withdrawn: 2
        case .opened: 3
        }
    }
}
