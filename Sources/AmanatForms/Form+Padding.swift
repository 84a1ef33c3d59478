extension Form {
    /// The minimum padded sizes a form gets when its file declares none (`min_padded_bytes`): the smallest padding
    /// buckets that held 99% of realistic identities and testimonies (scripts/measure-padding.py, BENCHMARKS.md).
    public static let defaultMinimumPaddedSizes: [Section: Int] = [.identity: 8192, .testimony: 32768]

    /// The largest minimum a form may declare: 64 KiB. A reader unpads by looking for the 0x80 marker in the last
    /// 64 KiB only (FORMAT.md section 5), so padding a short section to a larger size would make it unreadable.
    public static let largestMinimumPaddedSize = 65536

    /// The least size `section`'s canonical JSON is padded to (FORMAT.md section 5); 0 for the clear section.
    public func minimumPaddedSize(_ section: Section) -> Int {
        minimumPaddedSizes[section] ?? 0
    }

    /// Whether `size` may be a minimum padded size: a power of two from 512 to 65536, so that it is a padding
    /// bucket (readers accept only buckets) whose padding readers can remove whatever the content's length.
    public static func isValidMinimumPaddedSize(_ size: Int) -> Bool {
        size >= 512 && size <= largestMinimumPaddedSize && size & (size - 1) == 0
    }
}
