import Audit
import Foundation
import Policy
import Results
import Reviews

/// The HTML form of a ``Reviews/DisclosurePacket``: one self-contained page for a court or
/// defence counsel, beside the packet's JSON. No scripts, no external references, no server paths
/// in place of pictures (every picture is embedded), all text escaped, and a print style in which
/// everything prints (nothing collapsed, full hashes wrapped, pictures kept whole).
///
/// It shows the request and its requester; the search's settings (the operating threshold, where
/// it came from, and how often a stranger comes that close); the hold and the supervisor's
/// approval with its note; each probe with its numbered face boxes, and every candidate returned
/// — pursued or not — with its gallery face, distance, estimated false positive rate and upper
/// bound in words; every review, resolution and outcome with its notes; the job's audit records
/// with their full `prev` and `hash`, and how to check them offline.
public enum DisclosureSheet {
    /// Renders the packet.
    /// - Complexity: O(size of the packet).
    public static func render(_ packet: DisclosurePacket) -> String {
        let e = ExaminerSheet.escape
        let result = packet.result
        var html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Disclosure — job \(e(packet.job))</title>
            <style>\(style)</style></head><body>
            <h1>Face recognition search — disclosure</h1>
            <p>Job <b>\(e(packet.job))</b>, packet made \(e(packet.generated)). The same content, machine-readable and with
            the same pictures, is in the file <code>\(e(packet.job))-disclosure.json</code> made with this one.</p>
            <p class="statement"><strong>\(e(packet.statement))</strong></p>
            <p class="contents">Contents: 1. Request · 2. Search settings · 3. Hold and approval · 4. Probes and candidates ·
            5. Reviews, resolutions and outcomes · 6. Audit records · 7. Checking the records</p>

            """
        func table(_ title: String, _ rows: [(String, String?)]) -> String {
            "<h2>\(e(title))</h2>\n<table class=\"kv\">\n"
                + rows.map { "<tr><th>\(e($0.0))</th><td>\(e($0.1 ?? "—"))</td></tr>\n" }.joined() + "</table>\n"
        }
        if let request = packet.request {
            let job = request.job
            html += table("1. Request", [
                ("Requester", job.requester), ("Purpose", job.purpose), ("Case number", job.caseNumber),
                ("Offense", job.offense), ("Justification", job.justification),
                ("Probes", job.probes.joined(separator: ", ")), ("Probe folder", job.probeDir),
                ("Max candidates", job.maxCandidates.map(String.init)),
                ("Threshold asked", job.threshold.map { String($0) } ?? "none (the operating threshold)"),
                ("Job file SHA-256", request.jobFileSHA256),
            ])
        } else {
            html += "<h2>1. Request</h2><p class=\"warn\">The job file could not be read; the result's fields follow.</p>\n"
        }
        if let person = packet.requester {
            html += "<h3>Requester as registered</h3>\n<table class=\"kv\">\n" + [
                ("Id", person.id), ("Name", person.name), ("Agency", person.agency), ("Role", person.role),
                ("OS account (uid)", String(person.uid)), ("Status", person.status), ("Vetted", person.vetted ?? "—"),
                ("Trained", person.trained ?? "—"),
            ].map { "<tr><th>\(e($0.0))</th><td>\(e($0.1))</td></tr>\n" }.joined() + "</table>\n"
        }
        html += table("2. Search settings", [
            ("Decision", result.decision.rawValue), ("Reasons", result.reasons.map(\.rawValue).joined(separator: ", ")),
            ("Purpose", result.purpose), ("Case number", result.caseNumber), ("Offense", result.offense),
            ("Gallery version", result.galleryVersion.map(String.init)),
            ("Models", result.models.map { $0.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ") }),
            ("Threshold (distance)", result.threshold.map { String(format: "%.3f", $0) }),
            ("Where the threshold came from", result.thresholdSource ?? (result.threshold == nil ? nil : "not recorded (a result made before it was)")),
            ("Target false positive rate", result.targetFPIR.map { OperatingThreshold.percent($0) + " of searches of someone not in the gallery" }),
            ("At the threshold", RarityText.sentence(estimatedFPIR: result.thresholdEstimatedFPIR,
                                                     upper95: result.thresholdEstimatedFPIRUpper95)
                .map { $0.replacingOccurrences(of: "this close", with: "within it") }
                ?? (result.threshold == nil ? nil : "not measured: the gallery had no calibration")),
            ("Calibration", result.calibration.map { "calibration \($0.id) of gallery version \($0.galleryVersion), made \($0.created)" }
                ?? "none"),
            ("Candidate list", result.candidateList.map(ExaminerSheet.candidateListText)),
            ("Max candidates", result.maxCandidates.map(String.init)), ("Result made", result.created),
            ("Probe source", result.probeSource?.rawValue ?? "not stated"),
        ])
        if !result.messages.isEmpty {
            html += "<p>Messages in the result:</p><ul class=\"messages\">\n"
                + result.messages.map { "<li>\(e($0))</li>\n" }.joined() + "</ul>\n"
        }
        if let edits = result.probeEdits, !edits.isEmpty {
            html += "<p class=\"warn\"><b>Edited probe.</b> Changes made to the probe before the search:</p><ul>\n"
                + edits.map { "<li>\(e($0.by)): \(e($0.edit))</li>\n" }.joined() + "</ul>\n"
        } else {
            html += "<p>No edits to the probe were declared.</p>\n"
        }
        html += holdSection(packet)
        html += probeSection(packet)
        html += leadSection(packet)
        html += auditSection(packet)
        html += "<footer><p>\(e(packet.statement))</p></footer>\n</body></html>\n"
        return html
    }

    /// The audit events of a hold and its decision.
    static let holdEvents: Set<String> = Set([AuditEventName.jobHeld, .jobApproved, .jobRejected, .jobApprovalRefused].map(\.rawValue))

    /// 3. The hold for a supervisor and the decision on it, with the supervisor's note.
    static func holdSection(_ packet: DisclosurePacket) -> String {
        let e = ExaminerSheet.escape
        let records = packet.audit.records.filter { holdEvents.contains($0.event) }
        var html = "<h2>3. Hold and approval</h2>\n"
        guard !records.isEmpty else {
            return html + "<p>The request was not held for a supervisor's approval.</p>\n"
        }
        html += "<table class=\"list\"><tr><th>Audit record</th><th>Time</th><th>What</th><th>By</th><th>Details</th></tr>\n"
        for record in records {
            let what: String = switch AuditEventName(rawValue: record.event) {
            case .jobHeld?: "held for a supervisor's approval"
            case .jobApproved?: "approved by a supervisor"
            case .jobRejected?: "rejected by a supervisor"
            default: "an approval refused (\(record.reasons.joined(separator: ", ")))"
            }
            var details = record.details
            var lines: [String] = []
            if let note = details.removeValue(forKey: "note") { lines.append("<b>Note:</b> \(e(note))") }
            if let terms = details.removeValue(forKey: "watch_terms") { lines.append("Watch terms matched: \(e(terms))") }
            lines += details.sorted { $0.key < $1.key }.map { "\(e($0.key)): <span class=\"mono\">\(e($0.value))</span>" }
            html += "<tr><td>\(record.seq)</td><td>\(e(record.time))</td><td>\(e(what))</td><td>\(e(record.actor))</td>"
                + "<td>\(lines.joined(separator: "<br>"))</td></tr>\n"
        }
        return html + "</table>\n"
    }

    /// 4. Each probe with its numbered faces, and every candidate with its picture and rates.
    static func probeSection(_ packet: DisclosurePacket) -> String {
        let e = ExaminerSheet.escape
        let images = packet.images
        let numbered = ResultFaces(packet.probes)
        var leads: [String: DisclosurePacket.Lead] = [:]
        for lead in packet.leads { leads[ExaminerSheet.leadKey(lead.face, lead.candidate)] = lead }
        var gallery: [String: DisclosurePacket.Images.GalleryImage] = [:]
        for picture in images?.gallery ?? [] { gallery[picture.image] = picture }
        var html = "<h2>4. Probes and candidates</h2>\n"
        html += "<p>Every face found and every candidate returned, whether or not it was pursued. The distance compares "
            + "two faces' descriptors (smaller is more alike; " + (packet.result.threshold.map { String(format: "%.3f", $0) } ?? "—")
            + " was the threshold). The rate beside each candidate is how often, on this gallery's calibration, a search "
            + "of someone who is <i>not</i> in the gallery still returned a stranger at least that close, with the "
            + "95 % upper bound of that estimate.</p>\n"
        if images == nil { html += "<p class=\"warn\">The pictures were not available when this packet was made.</p>\n" }
        for (index, probe) in packet.probes.enumerated() {
            let faces = numbered.faces.filter { $0.probeIndex == index }
            html += "<section class=\"probe\"><h3>Probe \(e(probe.image))</h3>\n<p class=\"mono\">SHA-256 \(e(probe.sha256 ?? "—"))</p>\n"
            if let picture = images?.probes.first(where: { $0.probe == probe.image }),
               let jpeg = Data(base64Encoded: picture.jpegBase64)
            {
                html += ExaminerSheet.overviewFigure(.init(jpeg: Array(jpeg), width: picture.width, height: picture.height),
                                                     probe: probe, faces: faces)
            } else if probe.error == nil {
                html += "<p class=\"warn\">The probe picture could not be included (the file is not readable, or no longer the file searched).</p>\n"
            }
            if let error = probe.error { html += "<p class=\"warn\">Not searched: \(e(error))</p>\n" }
            if probe.faces.isEmpty, probe.error == nil { html += "<p>No face found.</p>\n" }
            for face in faces {
                html += "<div class=\"face\"><figure class=\"probe-face\">"
                    + (images?.faces.first { $0.face == face.number }.map { image("data:image/jpeg;base64," + $0.jpegBase64, alt: "probe face \(face.number)") }
                        ?? "<div class=\"missing\">no picture</div>")
                    + "<figcaption><b>Face \(face.number)</b><br>box \(e(face.face.box.map(String.init).joined(separator: ", ")))<br>"
                    + (face.face.quality.ok ? "quality ok: searched" : "not searched: \(e(face.face.quality.reasons.joined(separator: ", ")))")
                    + "</figcaption></figure>\n"
                let candidates = face.face.candidates.sorted { $0.rank < $1.rank }
                if candidates.isEmpty {
                    html += "<p class=\"none\">\(face.face.quality.ok ? "No candidate was returned for this face." : "")</p></div>\n"
                    continue
                }
                html += "<table class=\"list candidates\"><tr><th>Rank</th><th>Gallery face</th><th>Subject</th><th>Distance</th>"
                    + "<th>How often a stranger is this close</th><th>Gallery photo</th><th>Lead</th></tr>\n"
                for candidate in candidates {
                    let picture = gallery[candidate.image]
                    let rate = RarityText.sentence(estimatedFPIR: candidate.estimatedFPIR, upper95: candidate.estimatedFPIRUpper95)
                    var numbers: [String] = []
                    if let fpir = candidate.estimatedFPIR { numbers.append("estimated FPIR \(OperatingThreshold.percent(fpir))") }
                    if let upper = candidate.estimatedFPIRUpper95 { numbers.append("95 % upper bound \(OperatingThreshold.percent(upper))") }
                    let photo = [
                        "file \(ExaminerSheet.lastComponent(candidate.image))", picture?.sha256.map { "SHA-256 \($0)" },
                        picture?.source.map { "source: \($0)" }, picture?.captured.map { "captured \($0)" },
                    ].compactMap { $0 }
                    let lead = leads[ExaminerSheet.leadKey(face.number, candidate.subject)]
                    html += "<tr\(candidate.withinThreshold == false ? " class=\"beyond\"" : "")><td>\(candidate.rank)</td><td>"
                        + (picture?.jpegBase64.map { image("data:image/jpeg;base64," + $0, alt: "candidate \(candidate.rank): \(candidate.subject)") }
                            ?? "<div class=\"missing\">no picture</div>")
                        + "</td><td>\(e(candidate.subject))</td><td>\(String(format: "%.4f", candidate.distance))"
                        + (candidate.withinThreshold == false ? "<br><b>beyond the threshold</b>" : "") + "</td><td>"
                        + (rate.map(e) ?? "not estimated (no calibration, or beyond the distances it measured)")
                        + (numbers.isEmpty ? "" : "<br><small>\(e(numbers.joined(separator: "; ")))</small>")
                        + "</td><td class=\"mono small\">\(photo.map(e).joined(separator: "<br>"))</td>"
                        + "<td>\(e(lead?.state ?? "pending"))\(lead.map { $0.reviews.isEmpty && $0.resolution == nil && $0.outcomes.isEmpty ? " (not reviewed)" : " (see 5)" } ?? "")</td></tr>\n"
                }
                html += "</table></div>\n"
            }
            html += "</section>\n"
        }
        return html
    }

    /// 5. Every lead with every review, the resolution and the outcomes, notes in full.
    static func leadSection(_ packet: DisclosurePacket) -> String {
        let e = ExaminerSheet.escape
        let reviewed = packet.leads.filter { !$0.reviews.isEmpty || $0.resolution != nil || !$0.outcomes.isEmpty }
        var html = "<h2>5. Reviews, resolutions and outcomes</h2>\n"
        html += "<p>\(packet.leads.count) candidate\(packet.leads.count == 1 ? "" : "s") returned; \(reviewed.count) reviewed, "
            + "resolved or acted on. Every candidate is listed: one with nothing recorded was not pursued.</p>\n"
        guard !packet.leads.isEmpty else { return html }
        html += "<table class=\"list\"><tr><th>Face</th><th>Candidate</th><th>Rank</th><th>State</th><th>Reviews</th>"
            + "<th>Resolution</th><th>Outcomes</th></tr>\n"
        for lead in packet.leads {
            let reviews = lead.reviews.map {
                "\(e($0.by)) (uid \($0.uid.map(String.init) ?? "?")): <b>\(e($0.disposition))</b> \(e($0.time))"
                    + ($0.note.map { "<br><b>Note:</b> \(e($0))" } ?? "")
                    + ($0.superseded == true ? " <i>(superseded by the examiner's later review)</i>" : "")
            }
            let resolution = lead.resolution.map {
                "\(e($0.by)) (uid \($0.uid.map(String.init) ?? "?")): <b>\(e($0.disposition))</b> \(e($0.time))"
                    + ($0.note.map { "<br><b>Note:</b> \(e($0))" } ?? "")
            } ?? ""
            let outcomes = lead.outcomes.map {
                "<b>\(e($0.action))</b> by \(e($0.by)) (uid \($0.uid.map(String.init) ?? "?")) \(e($0.time))"
                    + ($0.corroboration.map { "<br><b>Corroboration:</b> \(e($0))" } ?? "")
            }
            html += "<tr><td>\(lead.face)</td><td>\(e(lead.candidate))</td><td>\(lead.rank.map(String.init) ?? "—")</td>"
                + "<td>\(e(lead.state))</td><td>\(reviews.isEmpty ? "not reviewed" : reviews.joined(separator: "<hr>"))</td>"
                + "<td>\(resolution)</td><td>\(outcomes.joined(separator: "<hr>"))</td></tr>\n"
        }
        return html + "</table>\n"
    }

    /// 6 and 7. The audit records in full, and how to check them without frs.
    static func auditSection(_ packet: DisclosurePacket) -> String {
        let e = ExaminerSheet.escape
        let audit = packet.audit
        var html = "<h2>6. Audit records</h2>\n"
        html += "<p>The log's hash chain was \(audit.chainIntact ? "<b>intact</b>" : "<b class=\"warn\">not intact</b>") when this "
            + "packet was made" + (audit.chainProblem.map { " (\(e($0)))" } ?? "") + "."
            + (audit.head.map { " Its last record then was number \($0.seq), at \(e($0.time)), with hash <span class=\"mono\">\(e($0.hash))</span>." } ?? "")
            + " These are the \(audit.records.count) records about this job, each exactly as logged.</p>\n"
        for record in audit.records {
            let details = record.details.sorted { $0.key < $1.key }.map { "\(e($0.key)): \(e($0.value))" }
            html += "<div class=\"record\"><p class=\"record-head\"><b>Record \(record.seq)</b> · \(e(record.time)) · "
                + "<b>\(e(record.event))</b> by \(e(record.actor))" + (record.outcome.map { " · outcome \(e($0))" } ?? "")
                + (record.reasons.isEmpty ? "" : " · reasons \(e(record.reasons.joined(separator: ", ")))") + "</p>\n"
                + (details.isEmpty ? "" : "<p class=\"small\">\(details.joined(separator: "<br>"))</p>\n")
                + "<table class=\"hashes\"><tr><th>prev</th><td class=\"mono\">\(e(record.prev))</td></tr>"
                + "<tr><th>hash</th><td class=\"mono\">\(e(record.hash))</td></tr>"
                + "<tr><th>line</th><td><pre>\(e(record.line))</pre></td></tr></table></div>\n"
        }
        html += """
            <h2>7. Checking the records</h2>
            <p>Each record's <code>hash</code> is the SHA-256 of its <code>prev</code>, a newline, and its line without
            the final <code>,"hash":"…"</code> member. Anyone can recompute it without frs, for example with Python 3 and
            the JSON file made with this page:</p>
            <pre>\(e(verifyScript(job: packet.job)))</pre>
            <p>Each line must print <code>ok</code>. A record's <code>prev</code> is the hash of the record before it in
            the agency's whole audit log (records of other jobs lie between these): to check the chain itself, the
            agency's auditor runs <code>frs audit verify</code> on the log, or gives the log's day files from the first
            record's day to the last; the chain head above ties this packet to the log as it stood.</p>

            """
        return html
    }

    /// A Python 3 script that recomputes every record's hash from the packet's JSON.
    static func verifyScript(job: String) -> String {
        """
        python3 - \(job)-disclosure.json <<'EOF'
        import hashlib, json, sys
        for r in json.load(open(sys.argv[1]))["audit"]["records"]:
            body = r["line"].rsplit(',"hash":', 1)[0] + "}"
            digest = hashlib.sha256((r["prev"] + "\\n" + body).encode()).hexdigest()
            print(r["seq"], "ok" if digest == r["hash"] else "MISMATCH")
        EOF
        """
    }

    static func image(_ source: String, alt: String) -> String {
        "<img alt=\"\(ExaminerSheet.escape(alt))\" src=\"\(source)\">"
    }

    static let style = """
        body{font-family:system-ui,sans-serif;margin:1.5em;color:#111;max-width:75em}
        .statement{border:3px solid #b00;background:#fff4f4;padding:.8em}.contents{color:#444}
        table{border-collapse:collapse;margin:.5em 0}th{text-align:left}
        table.kv th{padding:.15em 1em .15em 0;color:#444;white-space:nowrap;vertical-align:top}
        table.list th,table.list td{border:1px solid #ccc;padding:.2em .5em;vertical-align:top}
        table.candidates img{width:140px;height:140px;object-fit:contain;background:#222;display:block}
        tr.beyond td{background:#f3f3f3;color:#333}
        .small,small{font-size:.85em}.mono{font-family:monospace;word-break:break-all}.warn{color:#a40}
        pre{white-space:pre-wrap;word-break:break-all;font-size:.75em;background:#f4f4f4;padding:.5em;margin:0}
        section.probe{border-top:2px solid #333;margin-top:1.2em}
        .face{display:flex;flex-wrap:wrap;gap:.8em;align-items:flex-start;margin:.8em 0}
        figure{margin:0;font-size:.85em}figure.probe-face img{width:180px;height:180px;object-fit:contain;background:#222;display:block}
        figure.overview{margin:1em 0}.overview-frame{position:relative;display:inline-block;max-width:100%}
        .overview-frame img{display:block;max-width:100%;height:auto}
        .overview-frame svg.boxes{position:absolute;left:0;top:0;width:100%;height:100%}
        .missing{width:140px;height:60px;background:#ddd;color:#555;display:flex;align-items:center;justify-content:center}
        .record{border:1px solid #ccc;padding:.3em .6em;margin:.5em 0}.record-head{margin:.2em 0}
        table.hashes{width:100%;table-layout:fixed}table.hashes th{width:3.5em;vertical-align:top;color:#444}
        hr{border:0;border-top:1px solid #ddd;margin:.3em 0}
        footer{margin-top:2em;border-top:1px solid #ccc;color:#555}
        @media print{
          @page{margin:14mm}
          body{margin:0;max-width:none;font-size:10pt}
          *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
          h2,h3{break-after:avoid}.record,figure,tr,.face{break-inside:avoid}
          table.list{width:100%}.overview-frame img{max-height:150mm;width:auto}
        }
        """
}
