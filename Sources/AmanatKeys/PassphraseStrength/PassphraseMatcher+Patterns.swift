import Glibc

extension PassphraseMatcher {
    /// Runs of three or more scalars (two when the step is one) rising or falling by the same step of at most 5.
    func sequences(_ first: Int, _ last: Int) -> [PassphraseMatch] {
        guard last > first else { return [] }
        var found: [PassphraseMatch] = []
        var start = first
        var step: Int?
        func close(_ end: Int) {
            guard let step, step != 0, abs(step) <= 5, end - start > 1 || abs(step) == 1 else { return }
            let opening = views[.lower, start]
            let base: Double
            switch opening {
            case 0x61, 0x7A, 0x30, 0x31, 0x39, 0x430, 0x44F: base = 4  // a z 0 1 9 а я: the obvious starts
            case 0x30...0x39: base = 10
            case 0x430...0x45F: base = 33
            default: base = 26
            }
            let guesses = base * Double(end - start + 1) * (step > 0 ? 1 : 2)
            found.append(PassphraseMatch(first: start, last: end, log10Guesses: log10(guesses), pattern: .sequence))
        }
        for index in (first + 1)...last {
            let delta = Int(views[.lower, index]) - Int(views[.lower, index - 1])
            if step == nil { step = delta }
            if delta == step { continue }
            close(index - 1)
            start = index - 1
            step = delta
        }
        close(last)
        return found
    }

    /// The longest run of one piece said twice or more (`aaa`, `abcabc`), from each place where one starts; its
    /// guesses are the piece's own times the number of times.
    func repeats(_ first: Int, _ last: Int) -> [PassphraseMatch] {
        var found: [PassphraseMatch] = []
        var start = first
        while start < last {
            var best: (unit: Int, times: Int)?
            let room = last - start + 1
            if room >= 2 {
                for unit in 1...(room / 2) {
                    var times = 1
                    while start + (times + 1) * unit - 1 <= last && same(start, start + times * unit, unit) {
                        times += 1
                    }
                    if times >= 2 && unit * times > (best.map { $0.unit * $0.times } ?? 0) { best = (unit, times) }
                }
            }
            guard let best else {
                start += 1
                continue
            }
            let unit = mostGuessable(start, start + best.unit - 1)
            let end = start + best.unit * best.times - 1
            found.append(PassphraseMatch(
                first: start, last: end, log10Guesses: unit.log10Guesses + log10(Double(best.times)), pattern: .repeated
            ))
            start = end + 1
        }
        return found
    }

    private func same(_ a: Int, _ b: Int, _ length: Int) -> Bool {
        for offset in 0..<length where views[.lower, a + offset] != views[.lower, b + offset] { return false }
        return true
    }

    /// Dates (day, month and year in any usual order, with or without one repeated separator) and years.
    func dates(_ first: Int, _ last: Int) -> [PassphraseMatch] {
        var found: [PassphraseMatch] = []
        for start in first...last {
            // Without separators: 4 to 8 digits.
            var digits = 0
            while start + digits <= last && digits < 8 && isDigit(views[.original, start + digits]) { digits += 1 }
            if digits >= 4 {
                for length in 4...digits {
                    if let year = bestYear(cuts(start, length)) {
                        found.append(date(start, start + length - 1, year: year, separated: false))
                    }
                    if length == 4, let year = number(start, 4), (1900...2099).contains(year) {
                        let log10Guesses = log10(Double(max(abs(year - referenceYear), 20)))
                        found.append(PassphraseMatch(
                            first: start, last: start + 3, log10Guesses: log10Guesses, pattern: .year
                        ))
                    }
                }
            }
            // With separators: 1-4 digits, separator, 1-2 digits, the same separator, 1-4 digits.
            for a in 1...4 {
                for b in 1...2 {
                    for c in 1...4 {
                        let end = start + a + b + c + 1
                        guard end <= last, a + c >= 3 else { continue }
                        let separator = views[.original, start + a]
                        guard Self.separators.contains(separator), views[.original, start + a + b + 1] == separator,
                              allDigits(start, a), allDigits(start + a + 1, b), allDigits(start + a + b + 2, c),
                              let year = bestYear([[(start, a), (start + a + 1, b), (start + a + b + 2, c)]])
                        else { continue }
                        found.append(date(start, end, year: year, separated: true))
                    }
                }
            }
        }
        return found
    }

    private static let separators: [UInt32] = [0x20, 0x2D, 0x2F, 0x5C, 0x5F, 0x2E]  // space - / \ _ .

    private func date(_ first: Int, _ last: Int, year: Int, separated: Bool) -> PassphraseMatch {
        let guesses = 365 * Double(max(abs(year - referenceYear), 20)) * (separated ? 4 : 1)
        return PassphraseMatch(first: first, last: last, log10Guesses: log10(guesses), pattern: .date)
    }

    /// The ways to cut the `length` digits at `start` into three parts of 1 to 4 digits, as (start, length).
    private func cuts(_ start: Int, _ length: Int) -> [[(Int, Int)]] {
        var cuts: [[(Int, Int)]] = []
        for a in 1...4 {
            for b in 1...4 {
                let c = length - a - b
                guard (1...4).contains(c) else { continue }
                cuts.append([(start, a), (start + a, b), (start + a + b, c)])
            }
        }
        return cuts
    }

    /// The year nearest the reference year of any valid reading of the cuts (year first or last, 2 or 4 digits; day
    /// and month of 1 or 2 digits), or nil.
    private func bestYear(_ cuts: [[(Int, Int)]]) -> Int? {
        var best: Int?
        for parts in cuts {
            guard let x = number(parts[0].0, parts[0].1), let y = number(parts[1].0, parts[1].1),
                  let z = number(parts[2].0, parts[2].1), parts[1].1 <= 2 else { continue }
            let readings = [(x, parts[0].1, y, z, parts[2].1), (x, parts[0].1, z, y, parts[2].1),
                            (z, parts[2].1, y, x, parts[0].1), (z, parts[2].1, x, y, parts[0].1)]
            for (year, yearDigits, month, day, otherDigits) in readings where otherDigits <= 2 {
                guard let full = fullYear(year, digits: yearDigits), (1...12).contains(month), (1...31).contains(day)
                else { continue }
                if best.map({ abs(full - referenceYear) < abs($0 - referenceYear) }) ?? true { best = full }
            }
        }
        return best
    }

    private func fullYear(_ year: Int, digits: Int) -> Int? {
        switch digits {
        case 2: year >= 50 ? 1900 + year : 2000 + year
        case 4: (1000...2050).contains(year) ? year : nil
        default: nil
        }
    }

    private func number(_ start: Int, _ length: Int) -> Int? {
        var value = 0
        for index in start..<(start + length) {
            let scalar = views[.original, index]
            guard isDigit(scalar) else { return nil }
            value = value * 10 + Int(scalar - 0x30)
        }
        return value
    }

    private func allDigits(_ start: Int, _ length: Int) -> Bool {
        number(start, length) != nil
    }

    private func isDigit(_ scalar: UInt32) -> Bool {
        (0x30...0x39).contains(scalar)
    }
}
