import Foundation

/// A usage error: bad or missing arguments. `main` prints it with the command's usage and exits 2.
struct UsageError: Error, Equatable, CustomStringConvertible {
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}

/// The arguments of one subcommand, consumed option by option.
///
/// Options are `--name VALUE`, `--name=VALUE` or a bare `--flag`; everything else is positional.
/// `--` ends option parsing. After a command has taken what it knows, ``finish()`` rejects leftovers,
/// so a mistyped option is a usage error rather than silently ignored.
struct ArgumentList: Equatable {
    private var items: [String]
    private var positionalOnlyFrom: Int?

    init(_ items: [String]) {
        if let dash = items.firstIndex(of: "--") {
            var copy = items
            copy.remove(at: dash)
            self.items = copy
            self.positionalOnlyFrom = dash
        } else {
            self.items = items
            self.positionalOnlyFrom = nil
        }
    }

    private func isOptionIndex(_ i: Int) -> Bool {
        if let p = positionalOnlyFrom, i >= p { return false }
        return items[i].hasPrefix("--") && items[i].count > 2
    }

    /// Takes `--name VALUE` (or `--name=VALUE`); the last one wins if repeated.
    mutating func option(_ name: String) throws(UsageError) -> String? {
        var found: String?
        var i = 0
        while i < items.count {
            if isOptionIndex(i), items[i] == name {
                guard i + 1 < items.count else { throw UsageError("\(name) needs a value") }
                found = items[i + 1]
                items.removeSubrange(i...(i + 1))
                if let p = positionalOnlyFrom, i < p { positionalOnlyFrom = p - 2 }
                continue
            }
            if isOptionIndex(i), items[i].hasPrefix(name + "=") {
                found = String(items[i].dropFirst(name.count + 1))
                items.remove(at: i)
                if let p = positionalOnlyFrom, i < p { positionalOnlyFrom = p - 1 }
                continue
            }
            i += 1
        }
        return found
    }

    /// Takes every `--name VALUE` (or `--name=VALUE`) of a repeatable option, in order.
    mutating func options(_ name: String) throws(UsageError) -> [String] {
        var values: [String] = []
        var i = 0
        while i < items.count {
            if isOptionIndex(i), items[i] == name {
                guard i + 1 < items.count else { throw UsageError("\(name) needs a value") }
                values.append(items[i + 1])
                items.removeSubrange(i...(i + 1))
                if let p = positionalOnlyFrom, i < p { positionalOnlyFrom = p - 2 }
                continue
            }
            if isOptionIndex(i), items[i].hasPrefix(name + "=") {
                values.append(String(items[i].dropFirst(name.count + 1)))
                items.remove(at: i)
                if let p = positionalOnlyFrom, i < p { positionalOnlyFrom = p - 1 }
                continue
            }
            i += 1
        }
        return values
    }

    /// Takes a required `--name VALUE`.
    mutating func required(_ name: String) throws(UsageError) -> String {
        guard let v = try option(name) else { throw UsageError("missing \(name)") }
        return v
    }

    /// Takes an integer option within `range`.
    mutating func int(_ name: String, in range: ClosedRange<Int> = Int.min...Int.max) throws(UsageError) -> Int? {
        guard let s = try option(name) else { return nil }
        guard let v = Int(s), range.contains(v) else {
            throw UsageError("\(name) must be an integer in \(range.lowerBound)...\(range.upperBound), not \"\(s)\"")
        }
        return v
    }

    /// Takes a bare `--flag`; true if present.
    mutating func flag(_ name: String) -> Bool {
        var found = false
        var i = 0
        while i < items.count {
            if isOptionIndex(i), items[i] == name {
                found = true
                items.remove(at: i)
                if let p = positionalOnlyFrom, i < p { positionalOnlyFrom = p - 1 }
                continue
            }
            i += 1
        }
        return found
    }

    /// Takes all remaining positional arguments; an unknown `--option` left over is a usage error.
    mutating func positionals() throws(UsageError) -> [String] {
        for i in items.indices where isOptionIndex(i) {
            throw UsageError("unknown option \(items[i])")
        }
        defer { items = [] }
        return items
    }

    /// Checks that nothing is left over.
    mutating func finish() throws(UsageError) {
        let rest = try positionals()
        guard rest.isEmpty else { throw UsageError("unexpected argument \"\(rest[0])\"") }
    }

    var isEmpty: Bool { items.isEmpty }

    /// The positional arguments before the first option (the command words and what follows them).
    var leadingWords: [String] {
        Array(items.indices.prefix { !isOptionIndex($0) }.map { items[$0] })
    }

    /// Removes the first positional argument equal to `word` (a command word).
    mutating func removeFirstPositional(_ word: String) {
        guard let i = items.indices.first(where: { !isOptionIndex($0) && items[$0] == word }) else { return }
        // A value of a preceding option is not a positional, but options are taken before words
        // are removed only for the global ones, so a command word never follows an option here.
        items.remove(at: i)
        if let p = positionalOnlyFrom, i < p { positionalOnlyFrom = p - 1 }
    }
}
