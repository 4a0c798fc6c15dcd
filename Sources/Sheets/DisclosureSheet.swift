import Foundation
import Reviews

/// The HTML form of a ``Reviews/DisclosurePacket``: one self-contained page (no scripts, no
/// external references, all text escaped) for a court or defence counsel, beside the packet's JSON.
public enum DisclosureSheet {
    /// Renders the packet.
    /// - Complexity: O(size of the packet).
    public static func render(_ packet: DisclosurePacket) -> String {
        let e = ExaminerSheet.escape
        let result = packet.result
        var html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <title>Disclosure — job \(e(packet.job))</title>
            <style>\(style)</style></head><body>
            <h1>Face recognition search — disclosure</h1>
            <p>Job <b>\(e(packet.job))</b>, packet made \(e(packet.generated)). The same content, machine-readable, is in the JSON file beside this one.</p>
            <p class="statement"><strong>\(e(packet.statement))</strong></p>

            """
        func table(_ title: String, _ rows: [(String, String?)]) -> String {
            "<h2>\(e(title))</h2>\n<table class=\"kv\">\n"
                + rows.map { "<tr><th>\(e($0.0))</th><td>\(e($0.1 ?? "—"))</td></tr>\n" }.joined() + "</table>\n"
        }
        if let request = packet.request {
            html += table("Request", [
                ("Requester", request.requester), ("Purpose", request.purpose), ("Case number", request.caseNumber),
                ("Offense", request.offense), ("Justification", request.justification),
                ("Probes", request.probes.joined(separator: ", ")), ("Probe folder", request.probeDir),
                ("Max candidates", request.maxCandidates.map(String.init)),
                ("Threshold asked", request.threshold.map { String($0) }), ("Job file SHA-256", request.jobFileSHA256),
            ])
        } else {
            html += "<h2>Request</h2><p class=\"warn\">The job file could not be read; the result's fields follow.</p>\n"
        }
        if let person = packet.requester {
            html += table("Requester as registered", [
                ("Id", person.id), ("Name", person.name), ("Agency", person.agency), ("Role", person.role),
                ("OS account (uid)", String(person.uid)), ("Status", person.status), ("Vetted", person.vetted),
                ("Trained", person.trained),
            ])
        }
        html += table("Search", [
            ("Decision", result.decision.rawValue), ("Reasons", result.reasons.map(\.rawValue).joined(separator: ", ")),
            ("Purpose", result.purpose), ("Case number", result.caseNumber), ("Offense", result.offense),
            ("Gallery version", result.galleryVersion.map(String.init)),
            ("Models", result.models.map { $0.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ") }),
            ("Threshold", result.threshold.map { String(format: "%.3f", $0) }),
            ("Max candidates", result.maxCandidates.map(String.init)), ("Result made", result.created),
            ("Probe source", result.probeSource?.rawValue ?? "not stated"),
        ])
        if let edits = result.probeEdits, !edits.isEmpty {
            html += "<p class=\"warn\"><b>Edited probe.</b> Changes made to the probe before the search:</p><ul>\n"
                + edits.map { "<li>\(e($0.by)): \(e($0.edit))</li>\n" }.joined() + "</ul>\n"
        } else {
            html += "<p>No edits to the probe were declared.</p>\n"
        }

        html += "<h2>Probes, faces and candidates</h2>\n"
        var number = 0
        for probe in packet.probes {
            html += "<h3>\(e(probe.image))</h3>\n<p class=\"mono\">SHA-256 \(e(probe.sha256 ?? "—"))</p>\n"
            if let error = probe.error { html += "<p class=\"warn\">Not searched: \(e(error))</p>\n" }
            if probe.faces.isEmpty, probe.error == nil { html += "<p>No face found.</p>\n" }
            for face in probe.faces {
                number += 1
                html += "<p><b>Face \(number)</b> — box \(e(face.box.map(String.init).joined(separator: ", "))); quality "
                    + (face.quality.ok ? "ok" : "not searched: \(e(face.quality.reasons.joined(separator: ", ")))") + "</p>\n"
                guard !face.candidates.isEmpty else { continue }
                html += "<table class=\"list\"><tr><th>Rank</th><th>Subject</th><th>Distance</th><th>Gallery image</th></tr>\n"
                for candidate in face.candidates.sorted(by: { $0.rank < $1.rank }) {
                    html += "<tr><td>\(candidate.rank)</td><td>\(e(candidate.subject))</td>"
                        + "<td>\(String(format: "%.4f", candidate.distance))</td><td>\(e(candidate.image))</td></tr>\n"
                }
                html += "</table>\n"
            }
        }

        html += "<h2>Dispositions and outcomes</h2>\n"
        let reviewed = packet.leads.filter { !$0.reviews.isEmpty || $0.resolution != nil || !$0.outcomes.isEmpty }
        html += "<p>\(packet.leads.count) candidate\(packet.leads.count == 1 ? "" : "s"); \(reviewed.count) reviewed, resolved or acted on. "
            + "Candidates not listed below were not reviewed (state: pending).</p>\n"
        if !reviewed.isEmpty {
            html += "<table class=\"list\"><tr><th>Face</th><th>Candidate</th><th>State</th><th>Dispositions</th><th>Outcomes</th></tr>\n"
            for lead in reviewed {
                var dispositions = lead.reviews.map {
                    "\(e($0.by)) (uid \($0.uid.map(String.init) ?? "?")): <b>\(e($0.disposition))</b> \(e($0.time))" + ($0.note.map { " — \(e($0))" } ?? "")
                        + ($0.superseded == true ? " <i>(superseded by the examiner's later review)</i>" : "")
                }
                if let r = lead.resolution {
                    dispositions.append("resolved by \(e(r.by)) (uid \(r.uid.map(String.init) ?? "?")): <b>\(e(r.disposition))</b> \(e(r.time))"
                                        + (r.note.map { " — \(e($0))" } ?? ""))
                }
                let outcomes = lead.outcomes.map {
                    "<b>\(e($0.action))</b> by \(e($0.by)) \(e($0.time))" + ($0.corroboration.map { "<br>corroboration: \(e($0))" } ?? "")
                }
                html += "<tr><td>\(lead.face)</td><td>\(e(lead.candidate))</td><td>\(e(lead.state))</td>"
                    + "<td>\(dispositions.joined(separator: "<br>"))</td><td>\(outcomes.joined(separator: "<br>"))</td></tr>\n"
            }
            html += "</table>\n"
        }

        let audit = packet.audit
        html += "<h2>Audit records</h2>\n"
        html += "<p>The chain was \(audit.chainIntact ? "<b>intact</b>" : "<b class=\"warn\">not intact</b>") when this packet was made"
            + (audit.chainProblem.map { " (\(e($0)))" } ?? "") + "."
            + (audit.head.map { " Chain head: record \($0.seq) at \(e($0.time)), hash <span class=\"mono\">\(e($0.hash))</span>." } ?? "")
            + " Each record's hash is SHA-256 of its <code>prev</code>, a newline, and the record's line without its hash.</p>\n"
        html += "<table class=\"list small\"><tr><th>Seq</th><th>Time</th><th>Event</th><th>Actor</th><th>Outcome</th><th>Reasons</th><th>Prev</th><th>Hash</th></tr>\n"
        for record in audit.records {
            html += "<tr><td>\(record.seq)</td><td>\(e(record.time))</td><td>\(e(record.event))</td><td>\(e(record.actor))</td>"
                + "<td>\(e(record.outcome ?? ""))</td><td>\(e(record.reasons.joined(separator: ", ")))</td>"
                + "<td class=\"mono\">\(e(String(record.prev.prefix(16))))…</td><td class=\"mono\">\(e(String(record.hash.prefix(16))))…</td></tr>\n"
        }
        html += "</table>\n<details><summary>The records exactly as logged</summary><pre>"
            + audit.records.map { e($0.line) }.joined(separator: "\n") + "</pre></details>\n"
        html += "<footer><p>\(e(packet.statement))</p></footer>\n</body></html>\n"
        return html
    }

    static let style = """
        body{font-family:system-ui,sans-serif;margin:1.5em;color:#111;max-width:75em}
        .statement{border:3px solid #b00;background:#fff4f4;padding:.8em}
        table{border-collapse:collapse;margin:.5em 0}th{text-align:left}
        table.kv th{padding:.15em 1em .15em 0;color:#444;white-space:nowrap;vertical-align:top}
        table.list th,table.list td{border:1px solid #ccc;padding:.2em .5em;vertical-align:top}
        .small{font-size:.85em}.mono{font-family:monospace;word-break:break-all}.warn{color:#a40}
        pre{white-space:pre-wrap;word-break:break-all;font-size:.75em;background:#f4f4f4;padding:.5em}
        footer{margin-top:2em;border-top:1px solid #ccc;color:#555}
        """
}
