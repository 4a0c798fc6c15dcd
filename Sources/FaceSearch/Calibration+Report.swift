import Basics
import Foundation

extension Calibration {
    /// The calibration as a self-contained HTML page for administrators and auditors: the summary,
    /// the method in plain words, a DET plot (FNIR against FPIR on log axes, inline SVG) and the
    /// table of every threshold. No scripts, no external resources; all text is escaped.
    public func reportHTML() -> String {
        let chosen = thresholdIndex
        func percent(_ v: Double) -> String { Self.format(v * 100, digits: v < 0.001 && v > 0 ? 4 : 2) + " %" }
        var html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Gallery calibration \(id == 0 ? "(not stored)" : "\(id)")</title>
            <style>\(Self.style)</style></head><body>
            <h1>Gallery calibration \(id == 0 ? "(not stored)" : "\(id)")</h1>
            <p class="sub">Gallery version \(galleryVersion) · \(galleryFaces) faces of \(gallerySubjects) subjects · \(Self.escape(created))</p>

            """
        html += "<table class=\"meta\">\n"
        var rows: [(String, String)] = [
            ("Target FPIR", percent(targetFPIR)),
            ("Threshold for the target", threshold.map { Self.format($0, digits: 2) } ?? "none of the grid meets it"),
        ]
        if let i = chosen {
            rows.append(("FPIR at the threshold", "\(percent(fpir[i])) (\(falsePositives[i]) of \(nonMatedSearches) non-mated searches)"))
            rows.append(("95 % upper bound on that FPIR", percent(fpirUpper95[i]) + (falsePositives[i] == 0 ? " (rule of three: 3/n)" : " (Clopper–Pearson, one-sided)")
                + (boundMeetsTarget ? "" : " — above the target: too few searches to show the threshold meets it")))
            if !fnir.isEmpty {
                rows.append(("FNIR at the threshold (rank \(rank))", "\(percent(fnir[i])) (\(misses[i]) of \(matedSearches) mated searches)"))
            }
        }
        rows += [
            ("Non-mated searches", "\(nonMatedSearches) (" + (nonMatedSearches < galleryFaces ? "a random sample of faces" : "every face")
                + ", all of its subject's faces left out)"),
            ("Mated searches", "\(matedSearches) (" + (nonMatedSearches < galleryFaces ? "each sampled" : "every")
                + " photo of a subject with several, against the others)"),
            ("Candidate list length R", "\(rank)"),
            ("Search time", Self.format(seconds, digits: 1) + " s"),
        ]
        for (name, value) in rows { html += "<tr><th>\(Self.escape(name))</th><td>\(Self.escape(value))</td></tr>\n" }
        html += "</table>\n"
        html += """
            <p class="method">Method of NIST IR 8271 (FRVT 1:N identification), run on this gallery. A <b>non-mated
            search</b> searches a gallery face with every face of its subject left out, so the person is not in the
            gallery: it is a false positive at threshold T when any candidate lies at distance ≤ T. <b>FPIR(T)</b> is the
            fraction of non-mated searches that are false positives. A <b>mated search</b> searches one photo of a
            subject who has several against the rest: it misses at T when none of the subject's other photos is
            returned at rank 1…\(rank) within T. <b>FNIR(T)</b> is the fraction of mated searches that miss. FPIR grows
            with the gallery's size: calibrate again when the gallery has grown by more than a quarter.</p>

            """
        html += "<h2>DET plot</h2>\n" + detPlot() + "\n"
        html += "<p class=\"caption\">One point per threshold, joined in order (labels every 0.05); the red ring is the "
            + "threshold for the target. Hollow points are rates of 0, drawn on the axis floor (half of one event's rate), "
            + "since 0 has no place on a log axis.</p>\n"
        html += "<h2>By threshold</h2>\n<table class=\"list\"><tr><th>Threshold</th><th>False positives</th><th>FPIR</th>"
            + "<th>FPIR 95 % upper</th><th>Misses</th><th>FNIR (rank \(rank))</th></tr>\n"
        for i in thresholds.indices {
            html += "<tr\(i == chosen ? " class=\"chosen\"" : "")><td>\(Self.format(thresholds[i], digits: 2))</td>"
            html += "<td>\(falsePositives[i]) / \(nonMatedSearches)</td><td>\(percent(fpir[i]))</td><td>\(percent(fpirUpper95[i]))</td>"
            if fnir.isEmpty {
                html += "<td>—</td><td>—</td></tr>\n"
            } else {
                html += "<td>\(misses[i]) / \(matedSearches)</td><td>\(percent(fnir[i]))</td></tr>\n"
            }
        }
        html += "</table>\n"
        if fnir.isEmpty {
            html += "<p class=\"notes\">No subject has more than one photo: FNIR cannot be measured on this gallery.</p>\n"
        }
        html += "</body></html>\n"
        return html
    }

    /// The DET plot: FNIR (y) against FPIR (x), both on log axes, one point per threshold joined in
    /// threshold order; the chosen threshold ringed in red. A rate of 0 cannot sit on a log axis:
    /// it is drawn hollow on the axis floor (half of one event's rate).
    func detPlot() -> String {
        let width = 640.0, height = 440.0, left = 70.0, right = 20.0, top = 20.0, bottom = 55.0
        let plotW = width - left - right, plotH = height - top - bottom
        let xFloor = 0.5 / Double(max(1, nonMatedSearches))
        let yFloor = 0.5 / Double(max(1, matedSearches))
        // The axes start a decade or less below the floor, so floor points stand off the corner.
        let xMinExp = floor(log10(xFloor) - 0.1), yMinExp = floor(log10(yFloor) - 0.1)
        /// Positions of a rate on the log axes; a rate of 0 sits on the floor.
        func x(_ v: Double) -> Double { left + (log10(max(v, xFloor)) - xMinExp) / -xMinExp * plotW }
        func y(_ v: Double) -> Double { top + (1 - (log10(max(v, yFloor)) - yMinExp) / -yMinExp) * plotH }
        /// Positions of a decade's grid line (not clamped).
        func xDecade(_ e: Double) -> Double { left + (e - xMinExp) / -xMinExp * plotW }
        func yDecade(_ e: Double) -> Double { top + (1 - (e - yMinExp) / -yMinExp) * plotH }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
            + "viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"DET plot: FNIR against FPIR\">\n"
        svg += "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(plotW)\" height=\"\(plotH)\" fill=\"#fff\" stroke=\"#333\"/>\n"
        for e in stride(from: xMinExp, through: 0, by: 1) {
            let px = xDecade(e)
            svg += "<line x1=\"\(f(px))\" y1=\"\(top)\" x2=\"\(f(px))\" y2=\"\(top + plotH)\" stroke=\"#ddd\"/>"
            svg += "<text x=\"\(f(px))\" y=\"\(f(top + plotH + 16))\" text-anchor=\"middle\" font-size=\"11\">\(Self.decade(e))</text>\n"
        }
        for e in stride(from: yMinExp, through: 0, by: 1) {
            let py = yDecade(e)
            svg += "<line x1=\"\(left)\" y1=\"\(f(py))\" x2=\"\(left + plotW)\" y2=\"\(f(py))\" stroke=\"#ddd\"/>"
            svg += "<text x=\"\(f(left - 6))\" y=\"\(f(py + 4))\" text-anchor=\"end\" font-size=\"11\">\(Self.decade(e))</text>\n"
        }
        svg += "<text x=\"\(f(left + plotW / 2))\" y=\"\(f(height - 12))\" text-anchor=\"middle\" font-size=\"13\">"
            + "FPIR (non-mated searches returning a candidate within the threshold)</text>\n"
        svg += "<text transform=\"translate(16 \(f(top + plotH / 2))) rotate(-90)\" text-anchor=\"middle\" font-size=\"13\">"
            + "FNIR at rank \(rank) (mated searches missed)</text>\n"
        guard !fnir.isEmpty else {
            svg += "<text x=\"\(f(left + plotW / 2))\" y=\"\(f(top + plotH / 2))\" text-anchor=\"middle\" font-size=\"14\">"
                + "no mated searches: FNIR not measured</text>\n</svg>"
            return svg
        }
        let points = thresholds.indices.map { (x(fpir[$0]), y(fnir[$0])) }
        svg += "<polyline fill=\"none\" stroke=\"#1f5fa8\" stroke-width=\"2\" points=\""
            + points.map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " ") + "\"/>\n"
        var lastLabel: (Double, Double)?
        for i in thresholds.indices {
            let hollow = fpir[i] == 0 || fnir[i] == 0
            svg += "<circle cx=\"\(f(points[i].0))\" cy=\"\(f(points[i].1))\" r=\"3\" "
                + (hollow ? "fill=\"#fff\" stroke=\"#1f5fa8\"" : "fill=\"#1f5fa8\"") + "><title>T = "
                + "\(Self.format(thresholds[i], digits: 2)): FPIR \(Self.format(fpir[i], digits: 5)), FNIR \(Self.format(fnir[i], digits: 5))</title></circle>\n"
            let t = (thresholds[i] * 100).rounded()
            // Every 0.05, unless it would print over the previous label (points piled on a floor).
            if t.truncatingRemainder(dividingBy: 5) == 0,
               lastLabel.map({ abs($0.0 - points[i].0) + abs($0.1 - points[i].1) > 12 }) ?? true
            {
                lastLabel = points[i]
                svg += "<text x=\"\(f(points[i].0 + 6))\" y=\"\(f(points[i].1 - 6))\" font-size=\"10\" fill=\"#333\">"
                    + "\(Self.format(thresholds[i], digits: 2))</text>\n"
            }
        }
        if let i = thresholdIndex {
            svg += "<circle cx=\"\(f(points[i].0))\" cy=\"\(f(points[i].1))\" r=\"8\" fill=\"none\" stroke=\"#c00\" stroke-width=\"2\">"
                + "<title>threshold for the target</title></circle>\n"
            let tx = x(targetFPIR)
            svg += "<line x1=\"\(f(tx))\" y1=\"\(top)\" x2=\"\(f(tx))\" y2=\"\(top + plotH)\" stroke=\"#c00\" stroke-dasharray=\"4 3\"/>"
                + "<text x=\"\(f(tx + 4))\" y=\"\(f(top + 12))\" font-size=\"11\" fill=\"#c00\">target FPIR</text>\n"
        }
        svg += "</svg>"
        return svg
    }

    private func f(_ v: Double) -> String { Self.format(v, digits: 1) }

    static func decade(_ e: Double) -> String {
        switch Int(e) {
        case 0: "1"
        case -1: "0.1"
        case -2: "0.01"
        default: "1e\(Int(e))"
        }
    }

    static func format(_ v: Double, digits: Int) -> String { String(format: "%.\(digits)f", v) }

    static func escape(_ text: String) -> String { HTML.escape(text) }

    static let style = """
        body{font-family:system-ui,sans-serif;margin:1.5em;color:#111;background:#fff;max-width:60em}
        h1{margin:0}.sub{color:#555;margin:.2em 0 1em}
        table.meta{border-collapse:collapse;margin:1em 0}table.meta th{text-align:left;padding:.2em 1em .2em 0;color:#444}
        table.list{border-collapse:collapse;margin:.5em 0}table.list th,table.list td{border:1px solid #ccc;padding:.2em .6em;text-align:right}
        tr.chosen td{background:#fde8e8;font-weight:bold}.method{color:#333;max-width:50em}.caption{color:#555;font-size:.9em;max-width:50em}.notes{color:#a50}
        """
}
