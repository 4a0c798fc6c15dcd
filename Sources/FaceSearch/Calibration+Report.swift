import Basics
import Foundation
import Results

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
        let operating = self.operating
        var rows: [(String, String)] = [
            ("Target FPIR", percent(targetFPIR)
                + (policy.map { $0.targetFPIR == targetFPIR ? " (the policy's target_fpir)" : " (the policy's target_fpir is \(percent($0.targetFPIR)))" } ?? "")),
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
        html += operatingNote(operating)
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
        html += "<p class=\"caption\">One point per threshold, joined in order (labels every 0.05 where they fit); the red "
            + "ring is the threshold for the target and the dashed red line the target FPIR (\(percent(targetFPIR)))"
            + (operating.map { "; the green square is the operating threshold jobs run at (\(Self.format($0.threshold, digits: 2)))" } ?? "")
            + ". Hollow points are rates of 0, drawn on the axis floor (half of one event's rate), "
            + "since 0 has no place on a log axis.</p>\n"
        html += "<h2>By threshold</h2>\n<table class=\"list\"><tr><th>Threshold</th><th>False positives</th><th>FPIR</th>"
            + "<th>FPIR 95 % upper</th><th>Misses</th><th>FNIR (rank \(rank))</th></tr>\n"
        let inUse = operating.flatMap { op in thresholds.firstIndex { abs($0 - op.threshold) < 1e-9 } }
        for i in thresholds.indices {
            let classes = [i == chosen ? "chosen" : nil, i == inUse ? "operating" : nil].compactMap { $0 }
            html += "<tr\(classes.isEmpty ? "" : " class=\"\(classes.joined(separator: " "))\"")><td>\(Self.format(thresholds[i], digits: 2))"
                + (i == inUse ? " <span class=\"tag\">in use</span>" : "") + (i == chosen ? " <span class=\"tag target\">target</span>" : "")
                + "</td>"
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
        // The x axis also reaches a decade below the target, so the target line is drawn where it is.
        let xMinExp = min(floor(log10(xFloor) - 0.1), floor(log10(max(targetFPIR, 1e-12)) - 0.1))
        let yMinExp = floor(log10(yFloor) - 0.1)
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
        // Labels every 0.05, each placed beside its point where it overlaps no earlier label.
        var placed: [(x: Double, y: Double, w: Double, h: Double)] = []
        for i in thresholds.indices {
            let hollow = fpir[i] == 0 || fnir[i] == 0
            svg += "<circle cx=\"\(f(points[i].0))\" cy=\"\(f(points[i].1))\" r=\"3\" "
                + (hollow ? "fill=\"#fff\" stroke=\"#1f5fa8\"" : "fill=\"#1f5fa8\"") + "><title>T = "
                + "\(Self.format(thresholds[i], digits: 2)): FPIR \(Self.format(fpir[i], digits: 5)), FNIR \(Self.format(fnir[i], digits: 5))</title></circle>\n"
        }
        for i in thresholds.indices where (thresholds[i] * 100).rounded().truncatingRemainder(dividingBy: 5) == 0 {
            let text = Self.format(thresholds[i], digits: 2)
            let w = Double(text.count) * 6.2 + 2, h = 12.0
            let (px, py) = points[i]
            let spots = [(px + 6, py - 6), (px + 6, py + 15), (px - 6 - w, py - 6), (px - 6 - w, py + 15), (px - w / 2, py - 10)]
            guard let spot = spots.first(where: { spot in
                let box = (x: spot.0, y: spot.1 - h + 2, w: w, h: h)
                return box.x >= left && box.x + w <= left + plotW && box.y >= top && box.y + h <= top + plotH
                    && !placed.contains { $0.x < box.x + box.w && box.x < $0.x + $0.w && $0.y < box.y + box.h && box.y < $0.y + $0.h }
            }) else { continue }
            placed.append((spot.0, spot.1 - h + 2, w, h))
            svg += "<text x=\"\(f(spot.0))\" y=\"\(f(spot.1))\" font-size=\"10\" fill=\"#333\">\(text)</text>\n"
        }
        let tx = xDecade(log10(max(targetFPIR, 1e-12)))
        svg += "<line class=\"target-line\" x1=\"\(f(tx))\" y1=\"\(top)\" x2=\"\(f(tx))\" y2=\"\(top + plotH)\" stroke=\"#c00\" "
            + "stroke-dasharray=\"4 3\"><title>target FPIR \(Self.format(targetFPIR, digits: 4))</title></line>"
            + "<text x=\"\(f(tx + 4))\" y=\"\(f(top + 12))\" font-size=\"11\" fill=\"#c00\">target FPIR \(Self.escape(Self.rate(targetFPIR)))</text>\n"
        if let i = thresholdIndex {
            svg += "<circle cx=\"\(f(points[i].0))\" cy=\"\(f(points[i].1))\" r=\"8\" fill=\"none\" stroke=\"#c00\" stroke-width=\"2\">"
                + "<title>threshold for the target</title></circle>\n"
        }
        if let op = operating, let i = thresholds.firstIndex(where: { abs($0 - op.threshold) < 1e-9 }) {
            svg += "<rect class=\"operating-point\" x=\"\(f(points[i].0 - 6))\" y=\"\(f(points[i].1 - 6))\" width=\"12\" height=\"12\" "
                + "fill=\"none\" stroke=\"#080\" stroke-width=\"2\"><title>operating threshold \(Self.format(op.threshold, digits: 2))</title></rect>\n"
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
        case -3: "0.001"
        default: "1e\(Int(e))"
        }
    }

    /// A rate in words for a label: "0.01 (1 in 100)".
    static func rate(_ v: Double) -> String {
        guard v > 0 else { return "0" }
        return String(format: "%g", v) + (v < 0.5 ? " (1 in \(Int((1 / v).rounded())))" : "")
    }

    /// Which threshold jobs run at under the policy kept with the calibration, in a sentence.
    func operatingNote(_ operating: OperatingThreshold?) -> String {
        guard let op = operating, let policy else {
            return "<p class=\"notes\">The policy's settings were not kept with this calibration: jobs run at the "
                + "threshold the policy's target_fpir gives on this table, capped by its maximum_threshold.</p>\n"
        }
        var text = "<p class=\"in-use-note\"><b>Operating threshold: \(Self.format(op.threshold, digits: 2))</b> — \(Self.escape(op.source)). "
        text += "Jobs run at it from their next search on (the policy when this calibration ran: target_fpir "
            + "\(Self.escape(OperatingThreshold.percent(policy.targetFPIR))), maximum_threshold \(Self.format(policy.maximumThreshold, digits: 2)), "
            + "default_threshold \(Self.format(policy.defaultThreshold, digits: 2)))"
        if let rate = op.estimatedFPIR, let upper = op.estimatedFPIRUpper95 {
            text += "; there, \(Self.escape(OperatingThreshold.percent(rate))) of the non-mated searches returned a stranger "
                + "(95 % upper bound \(Self.escape(OperatingThreshold.percent(upper))))"
        }
        text += ". Candidate lists: " + (policy.candidateList == .threshold
            ? "the candidates within the threshold (policy candidate_list \"threshold\")."
            : "the max_candidates nearest subjects whatever their distance, those beyond the threshold marked "
                + "(policy candidate_list \"ranked\").")
        return text + "</p>\n"
    }

    static func format(_ v: Double, digits: Int) -> String { String(format: "%.\(digits)f", v) }

    static func escape(_ text: String) -> String { HTML.escape(text) }

    static let style = """
        body{font-family:system-ui,sans-serif;margin:1.5em;color:#111;background:#fff;max-width:60em}
        h1{margin:0}.sub{color:#555;margin:.2em 0 1em}
        table.meta{border-collapse:collapse;margin:1em 0}table.meta th{text-align:left;padding:.2em 1em .2em 0;color:#444}
        table.list{border-collapse:collapse;margin:.5em 0}table.list th,table.list td{border:1px solid #ccc;padding:.2em .6em;text-align:right;white-space:nowrap}
        tr.chosen td{background:#fde8e8;font-weight:bold}tr.operating td{background:#e4f4e4;font-weight:bold}
        tr.chosen.operating td{background:linear-gradient(#fde8e8,#e4f4e4)}
        .tag{font-size:.75em;border:1px solid #080;color:#080;border-radius:.3em;padding:0 .3em;font-weight:normal}.tag.target{border-color:#c00;color:#c00}
        .in-use-note{border-left:4px solid #080;padding:.3em .8em;background:#f2faf2;max-width:50em}
        svg text{font-family:system-ui,sans-serif}
        @media print{body{max-width:none;margin:0}h2{break-after:avoid}svg{break-inside:avoid;max-width:100%;height:auto}tr{break-inside:avoid}
        tr.chosen td,tr.operating td,.in-use-note{-webkit-print-color-adjust:exact;print-color-adjust:exact}}.method{color:#333;max-width:50em}.caption{color:#555;font-size:.9em;max-width:50em}.notes{color:#a50}
        """
}
