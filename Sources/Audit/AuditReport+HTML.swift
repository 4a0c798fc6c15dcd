import Basics
import Policy
import Foundation

extension AuditReport {
    /// The report as a self-contained HTML page for auditors: the verification result, bar charts
    /// (searches per month by purpose, stacked; denials by reason) as inline SVG, and every table.
    /// No scripts and no external resources; all text is escaped.
    ///
    /// - Parameter verification: the chain's verification, shown at the top when given.
    public func html(verification: AuditVerification? = nil) -> String {
        let period = "\(from ?? "beginning") to \(to ?? "end")"
        let title = year.map { "Facial recognition annual report \($0)" } ?? "Facial recognition use report"
        var h = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(Self.escape(title))</title>
            <style>\(Self.htmlStyle)</style></head><body>
            <h1>\(Self.escape(title))</h1>
            <p class="sub">\(Self.escape(period)) · \(records) audit records read</p>

            """
        if let verification {
            h += verification.isIntact
                ? "<p class=\"ok\">Audit chain verified: \(Self.escape(verification.description))</p>\n"
                : "<p class=\"broken\">AUDIT CHAIN BROKEN: \(Self.escape(verification.description)) — the figures below may not be complete or true.</p>\n"
        }
        h += "<table class=\"meta\">\n"
        let summary: [(String, String)] = [
            ("Searches", "\(searches.total) (completed \(searches.completed), denied \(searches.denied), failed \(searches.failed))"),
            ("Candidates returned", "\(searches.candidates)"),
            ("Probable matches (leads released by peer review)", "\(releasedLeadsByOffense.values.reduce(0, +))"),
            ("Leads marked possible-match by an examiner", "\(possibleMatchesByOffense.values.reduce(0, +))"),
            ("Held for approval", "\(held) (approved \(approved), rejected \(rejected))"),
            ("Peer-review disagreements", "\(disputes)"),
            ("Outcomes recorded", "\(outcomesByPurpose.values.reduce(0) { $0 + $1.values.reduce(0, +) })"),
        ]
        for (name, value) in summary { h += "<tr><th>\(Self.escape(name))</th><td>\(Self.escape(value))</td></tr>\n" }
        h += "</table>\n"
        if year != nil {
            h += "<p class=\"note\">Figures asked for by annual reporting statutes (Washington RCW 43.386, Utah 77-23e, "
                + "Montana 44-15-111): searches and probable matches per crime type, the sources of probe images, "
                + "outcomes per purpose, and peer-review disagreements.</p>\n"
        }

        h += "<h2>Searches per month, by purpose</h2>\n" + monthChart()
        h += "<h2>Denials by reason</h2>\n" + Self.horizontalBars(denialsByReason, color: "#b03a2e", empty: "No denials.")

        h += "<h2>Searches and probable matches by offense</h2>\n"
        h += "<table class=\"list\"><tr><th>Offense</th><th>Searches</th><th>Completed</th><th>Denied</th><th>Failed</th>"
            + "<th>Candidates</th><th>Probable matches (released)</th><th>Marked possible-match</th></tr>\n"
        for key in Set(byOffense.keys).union(possibleMatchesByOffense.keys).union(releasedLeadsByOffense.keys).sorted() {
            let t = byOffense[key] ?? Tally()
            h += "<tr><td>\(Self.escape(key))</td><td>\(t.total)</td><td>\(t.completed)</td><td>\(t.denied)</td>"
                + "<td>\(t.failed)</td><td>\(t.candidates)</td><td>\(releasedLeadsByOffense[key] ?? 0)</td>"
                + "<td>\(possibleMatchesByOffense[key] ?? 0)</td></tr>\n"
        }
        h += "</table>\n"

        h += "<h2>Outcomes by purpose</h2>\n"
        let actions = Set(outcomesByPurpose.values.flatMap(\.keys)).sorted()
        if actions.isEmpty {
            h += "<p class=\"none\">No outcomes recorded.</p>\n"
        } else {
            h += "<table class=\"list\"><tr><th>Purpose</th>" + actions.map { "<th>\(Self.escape($0))</th>" }.joined() + "</tr>\n"
            for purpose in outcomesByPurpose.keys.sorted() {
                h += "<tr><td>\(Self.escape(purpose))</td>"
                    + actions.map { "<td>\(outcomesByPurpose[purpose]?[$0] ?? 0)</td>" }.joined() + "</tr>\n"
            }
            h += "</table>\n"
        }

        for (title, table) in [("Probe image sources", byProbeSource), ("By purpose", byPurpose),
                               ("By agency", byAgency), ("By user", byUser)] {
            h += "<h2>\(Self.escape(title))</h2>\n" + Self.tallyTable(table)
        }
        for (title, counts) in [("Peer-review disagreements by purpose", disputesByPurpose),
                                ("Denials by reason", denialsByReason), ("Examiner dispositions", dispositions),
                                ("Other events", otherEvents)] {
            h += "<h2>\(Self.escape(title))</h2>\n" + Self.countTable(counts)
        }
        h += "</body></html>\n"
        return h
    }

    /// The authorized purposes in the MOU's order with their colours (anything else grey); a
    /// purpose added to ``Policy/Purpose`` takes the next colour of the palette.
    static let purposeColors: [(String, String)] = {
        let palette = ["#1f5fa8", "#2e8b57", "#c27c0e", "#8e44ad", "#c0392b", "#16a085", "#d35400", "#2c3e50"]
        return Purpose.allCases.enumerated().map { ($1.rawValue, palette[$0 % palette.count]) }
    }()

    /// Stacked vertical bars: one per month of the period (every month of an annual report), a
    /// segment per purpose, with a legend.
    func monthChart() -> String {
        var months = searchesByMonth.keys.sorted()
        if let year { months = (1...12).map { String(format: "%04d-%02d", year, $0) } }
        guard !months.isEmpty else { return "<p class=\"none\">No searches.</p>\n" }
        let known = Self.purposeColors.map(\.0)
        let others = Set(searchesByMonth.values.flatMap(\.keys)).subtracting(known).sorted()
        let series = Self.purposeColors + others.map { ($0, "#888888") }
        let used = series.filter { p in searchesByMonth.values.contains { ($0[p.0] ?? 0) > 0 } }
        let totals = months.map { searchesByMonth[$0]?.values.reduce(0, +) ?? 0 }
        let top = Self.niceCeiling(totals.max() ?? 0)
        let barW = 36.0, gap = 14.0, left = 50.0, top0 = 20.0, plotH = 220.0
        let width = left + Double(months.count) * (barW + gap) + 20, height = top0 + plotH + 50
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\" "
            + "aria-label=\"searches per month by purpose\">\n"
        for step in 0...4 {
            let value = top * step / 4
            let y = top0 + plotH - Double(value) / Double(max(1, top)) * plotH
            svg += "<line x1=\"\(left)\" y1=\"\(Self.f(y))\" x2=\"\(Self.f(width - 10))\" y2=\"\(Self.f(y))\" stroke=\"#ddd\"/>"
                + "<text x=\"\(Self.f(left - 6))\" y=\"\(Self.f(y + 4))\" text-anchor=\"end\" font-size=\"11\">\(value)</text>\n"
        }
        for (i, month) in months.enumerated() {
            let x = left + gap / 2 + Double(i) * (barW + gap)
            var y = top0 + plotH
            for (purpose, color) in used {
                let n = searchesByMonth[month]?[purpose] ?? 0
                guard n > 0 else { continue }
                let hgt = Double(n) / Double(max(1, top)) * plotH
                y -= hgt
                svg += "<rect x=\"\(Self.f(x))\" y=\"\(Self.f(y))\" width=\"\(barW)\" height=\"\(Self.f(hgt))\" fill=\"\(color)\">"
                    + "<title>\(Self.escape(month)) \(Self.escape(purpose)): \(n)</title></rect>\n"
            }
            if totals[i] > 0 {
                svg += "<text x=\"\(Self.f(x + barW / 2))\" y=\"\(Self.f(y - 4))\" text-anchor=\"middle\" font-size=\"10\">\(totals[i])</text>"
            }
            svg += "<text x=\"\(Self.f(x + barW / 2))\" y=\"\(Self.f(top0 + plotH + 16))\" text-anchor=\"middle\" font-size=\"11\">"
                + "\(Self.escape(year != nil ? String(month.suffix(2)) : month))</text>\n"
        }
        svg += "</svg>\n"
        let legend = used.map { "<span class=\"key\"><i style=\"background:\($0.1)\"></i>\(Self.escape($0.0))</span>" }.joined(separator: " ")
        return svg + "<p class=\"legend\">\(legend)</p>\n"
    }

    /// Horizontal bars, largest first.
    static func horizontalBars(_ counts: [String: Int], color: String, empty: String) -> String {
        guard !counts.isEmpty else { return "<p class=\"none\">\(escape(empty))</p>\n" }
        let rows = counts.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }
        let top = max(1, rows[0].value)
        let label = 260.0, barMax = 380.0, rowH = 22.0
        let height = Double(rows.count) * rowH + 10
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(label + barMax + 60))\" height=\"\(Int(height))\" "
            + "role=\"img\" aria-label=\"bar chart\">\n"
        for (i, row) in rows.enumerated() {
            let y = 5 + Double(i) * rowH
            let w = Double(row.value) / Double(top) * barMax
            svg += "<text x=\"\(Self.f(label - 8))\" y=\"\(Self.f(y + 15))\" text-anchor=\"end\" font-size=\"12\">\(escape(row.key))</text>"
                + "<rect x=\"\(label)\" y=\"\(Self.f(y + 3))\" width=\"\(Self.f(max(w, 1)))\" height=\"\(rowH - 6)\" fill=\"\(color)\"/>"
                + "<text x=\"\(Self.f(label + w + 6))\" y=\"\(Self.f(y + 15))\" font-size=\"12\">\(row.value)</text>\n"
        }
        return svg + "</svg>\n"
    }

    static func tallyTable(_ table: [String: Tally]) -> String {
        guard !table.isEmpty else { return "<p class=\"none\">None.</p>\n" }
        var h = "<table class=\"list\"><tr><th></th><th>Total</th><th>Completed</th><th>Denied</th><th>Failed</th><th>Candidates</th></tr>\n"
        for key in table.keys.sorted() {
            let t = table[key]!
            h += "<tr><td>\(escape(key))</td><td>\(t.total)</td><td>\(t.completed)</td><td>\(t.denied)</td><td>\(t.failed)</td><td>\(t.candidates)</td></tr>\n"
        }
        return h + "</table>\n"
    }

    static func countTable(_ counts: [String: Int]) -> String {
        guard !counts.isEmpty else { return "<p class=\"none\">None.</p>\n" }
        var h = "<table class=\"list\"><tr><th></th><th>Count</th></tr>\n"
        for key in counts.keys.sorted() { h += "<tr><td>\(escape(key))</td><td>\(counts[key]!)</td></tr>\n" }
        return h + "</table>\n"
    }

    /// The axis top: four steps of 1, 2 or 5 × a power of ten, at or above `n`.
    static func niceCeiling(_ n: Int) -> Int {
        var scale = 1
        while true {
            for m in [1, 2, 5] where 4 * m * scale >= n { return 4 * m * scale }
            scale *= 10
        }
    }

    static func f(_ v: Double) -> String { String(format: "%.1f", v) }

    /// Escapes text for HTML element content and quoted attribute values.
    static func escape(_ text: String) -> String { HTML.escape(text) }

    static let htmlStyle = """
        body{font-family:system-ui,sans-serif;margin:1.5em;color:#111;background:#fff;max-width:64em}
        h1{margin:0}.sub{color:#555;margin:.2em 0 1em}h2{margin-top:1.6em;border-bottom:1px solid #ccc}
        .ok{border:2px solid #2e7d32;background:#eef8ee;padding:.5em}.broken{border:3px solid #b00;background:#fff0f0;padding:.5em;font-weight:bold}
        table.meta{border-collapse:collapse}table.meta th{text-align:left;padding:.2em 1em .2em 0;color:#444}
        table.list{border-collapse:collapse;margin:.5em 0}table.list th,table.list td{border:1px solid #ccc;padding:.2em .6em}
        table.list td+td{text-align:right}.none{color:#666}.note{color:#333;max-width:50em}
        .legend .key{margin-right:1em;white-space:nowrap}.legend i{display:inline-block;width:.9em;height:.9em;margin-right:.3em;vertical-align:-.1em}
        """
}
