import Basics
import Foundation
import Policy
import Results
import Reviews

/// The examiner's sheet `outbox/results/<job>.html`: a self-contained page showing each probe
/// face beside its candidates' gallery faces, with the case, purpose, requester, the
/// investigative-lead statement, and the quality notes.
///
/// Rendering is a pure function of the result and the crop images (JPEG bytes, embedded as
/// `data:` URIs), so it is tested without files. The page has no scripts; all text is escaped.
///
/// Large (bulk) jobs stay usable: a summary first (counts, and the probes with candidates);
/// probes whose faces have no candidates are listed in one collapsed `<details>` table instead of
/// their own sections; only the first ``Options/maxImageSections`` probes with candidates get
/// images (the rest are tables of text), each face shows images for its first
/// ``Options/maxImageCandidates`` candidates, and a bulk sheet's images stay within
/// ``Options/maxImageBytesPerProbe`` per probe (small crops, no whole pictures).
///
/// Each candidate shows its lead's state (``LeadState``). A pending lead shows how many examiners
/// reviewed it but never what they said: the second examiner must reach their own conclusion. The
/// dispositions, notes, a supervisor's resolution and outcomes appear once the lead is released,
/// disputed or rejected. The daemon renders the sheet again after every review, resolution and
/// outcome. An edited probe (the job's `probe_edits`) is marked, with every edit.
public enum ExaminerSheet {
    /// A crop the sheet asks for.
    public enum Image: Hashable, Sendable {
        /// The face with this number (see ``ResultFaces``) in its probe image.
        case probeFace(number: Int)
        /// A candidate's face in a gallery image.
        case gallery(image: String, subject: String)
    }

    /// What the writer knows of a picture beyond its bytes.
    public struct Picture: Sendable, Equatable {
        /// The JPEG shown (possibly scaled down).
        public var jpeg: [UInt8]
        /// The original image's size, in the pixels the face boxes are given in.
        public var width: Int
        public var height: Int

        public init(jpeg: [UInt8], width: Int, height: Int) {
            self.jpeg = jpeg
            self.width = width
            self.height = height
        }
    }

    /// Limits that keep a sheet for thousands of probes readable.
    public struct Options: Sendable, Equatable {
        /// More probes than this make a large sheet: probes without candidates are collapsed.
        public var collapseAbove: Int
        /// Probes shown with images (in order); later probes with candidates are shown as text.
        public var maxImageSections: Int
        /// Candidates per face shown with images; the rest of a face's list is text.
        public var maxImageCandidates: Int

        /// Whether each probe with faces gets its whole picture with the faces' boxes.
        public var overviews: Bool = true
        /// Bytes of embedded images (base64) per probe section at most; the crops past it are left
        /// out (said so on the sheet, the candidates still listed). `nil`: no limit.
        public var maxImageBytesPerProbe: Int?
        /// A summary first: counts, and a table of the probes with candidates linking to them.
        public var summary: Bool = false
        /// The longest side of an embedded crop, in pixels (the writer cuts them so).
        public var cropSide: Int = 280

        public init(collapseAbove: Int = 20, maxImageSections: Int = 200, maxImageCandidates: Int = 20) {
            self.collapseAbove = collapseAbove
            self.maxImageSections = maxImageSections
            self.maxImageCandidates = maxImageCandidates
        }

        /// The defaults for a bulk job: a summary first; every probe without candidates only listed;
        /// no whole pictures; small crops, at most 5 candidates' images per face and about 90 KB of
        /// images per probe, so a sheet of thousands of probes opens (~100 KB per probe with candidates).
        public static let bulk: Options = {
            var options = Options(collapseAbove: 0, maxImageSections: 200, maxImageCandidates: 5)
            options.overviews = false
            options.maxImageBytesPerProbe = 90_000
            options.summary = true
            options.cropSide = 160
            return options
        }()
    }

    /// Renders the sheet.
    ///
    /// - Parameters:
    ///   - result: the completed job's result document.
    ///   - probes: its probe records (the result's own, or a bulk job's lines).
    ///   - options: the limits for large jobs.
    ///   - leads: the job's leads as they stand; a candidate without one is shown as not reviewed.
    ///   - image: the JPEG bytes of a crop, or `nil` when it is not available (the sheet then
    ///     says so); called only for crops the sheet shows.
    ///   - overview: the whole probe image of a probe (by index) with its original size, for the
    ///     picture with every face's box numbered; `nil` leaves the picture out.
    ///   - galleryCaption: what is known of a gallery image (its source and capture date), shown
    ///     under the candidate.
    ///   - subjectPhotos: every photo of a candidate's subject (by subject id), shown folded under
    ///     the candidate when there is more than one (``SubjectPhoto``).
    /// - Returns: the HTML document.
    /// - Complexity: O(probes + faces + candidates) plus the images' sizes.
    public static func render(
        result: JobResult, probes: [ProbeRecord], options: Options = Options(), leads: [LeadState] = [],
        overview: (Int) -> Picture? = { _ in nil }, galleryCaption: (String) -> String? = { _ in nil },
        subjectPhotos: (String) -> [SubjectPhoto] = { _ in [] }, image: (Image) -> [UInt8]?
    ) -> String {
        let numbered = ResultFaces(probes)
        var leadsByKey: [String: LeadState] = [:]
        for lead in leads { leadsByKey[leadKey(lead.face, lead.candidate)] = lead }
        var facesByProbe = [[ResultFaces.Numbered]](repeating: [], count: probes.count)
        for face in numbered.faces { facesByProbe[face.probeIndex].append(face) }
        let large = probes.count > options.collapseAbove
        let candidateCount = numbered.faces.reduce(0) { $0 + $1.face.candidates.count }

        var html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Examiner's sheet — \(escape(result.job))</title>
            <style>\(style)</style></head><body>
            <header><h1>Examiner's sheet</h1><p class="job">Job \(escape(result.job))</p></header>
            <p class="statement" role="note"><strong>\(escape(result.statement))</strong></p>

            """
        html += "<table class=\"meta\">\n"
        let rows: [(String, String?)] = [
            ("Case", result.caseNumber), ("Purpose", result.purpose), ("Offense", result.offense),
            ("Requester", result.requester), ("Decision", result.decision.rawValue),
            ("Gallery version", result.galleryVersion.map(String.init)),
            ("Threshold", result.threshold.map { String(format: "%.3f", $0) + (result.thresholdSource.map { " — \($0)" } ?? "") }),
            ("At the threshold", RarityText.sentence(estimatedFPIR: result.thresholdEstimatedFPIR,
                                                     upper95: result.thresholdEstimatedFPIRUpper95)
                .map { $0.replacingOccurrences(of: "this close", with: "within it") }),
            ("Candidate list", result.candidateList.map(candidateListText)),
            ("Max candidates", result.maxCandidates.map(String.init)),
            ("Probe source", result.probeSource?.rawValue ?? "not stated"),
            ("Models", result.models.map { $0.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ") }),
            ("Created", result.created),
            ("Probes", "\(probes.count)"), ("Faces", "\(numbered.faces.count)"), ("Candidates", "\(candidateCount)"),
        ]
        for (name, value) in rows {
            html += "<tr><th>\(escape(name))</th><td>\(escape(value ?? "—"))</td></tr>\n"
        }
        html += "</table>\n"
        if let edits = result.probeEdits, !edits.isEmpty {
            html += "<div class=\"edited\" role=\"note\"><strong>Edited probe.</strong> The probe image was changed before "
                + "the search; candidates found on an edited image need particular care.<ul>\n"
            for edit in edits { html += "<li>\(escape(edit.by)): \(escape(edit.edit))</li>\n" }
            html += "</ul></div>\n"
        }
        if let approval = result.approval {
            html += "<div class=\"edited\" role=\"note\"><strong>Held for a supervisor.</strong> "
                + "\(escape(approval.sentence))</div>\n"
        }
        html += "<p class=\"hint\">Faces are numbered across the job. Record a disposition with <code>frs review "
            + "\(escape(result.job)) --examiner ID --face N --candidate SUBJECT --disposition "
            + "possible-match|no-match|inconclusive</code>. A possible match becomes a released lead when a second "
            + "examiner records the same; until then the first examiner's answer is not shown.</p>\n"
        if !result.reasons.isEmpty {
            html += "<p class=\"notes\">Reasons: \(escape(result.reasons.map(\.rawValue).joined(separator: ", ")))</p>\n"
        }

        if options.summary { html += summary(probes: probes, faces: facesByProbe) }
        var quiet: [Int] = []
        var imageSections = 0
        // Images of the current probe's section, in base64 bytes, and those left out for the budget.
        var used = 0
        var omitted = 0
        func budgeted(_ wanted: Image) -> [UInt8]? {
            guard let limit = options.maxImageBytesPerProbe else { return image(wanted) }
            guard used < limit else {
                omitted += 1
                return []
            }
            guard let bytes = image(wanted) else { return nil }
            let size = (bytes.count + 2) / 3 * 4
            guard used + size <= limit else {
                omitted += 1
                used = limit
                return []
            }
            used += size
            return bytes
        }
        for (index, probe) in probes.enumerated() {
            let faces = facesByProbe[index]
            let hasCandidates = faces.contains { !$0.face.candidates.isEmpty }
            if large && !hasCandidates {
                quiet.append(index)
                continue
            }
            let withImages = imageSections < options.maxImageSections
            if withImages { imageSections += 1 }
            if withImages, options.overviews, !faces.isEmpty, let picture = overview(index) {
                html += overviewFigure(picture, probe: probe, faces: faces)
            }
            (used, omitted) = (0, 0)
            if options.summary { html += "<a id=\"probe-\(index + 1)\"></a>" }
            html += section(probe: probe, faces: faces, withImages: withImages, collapseQuietFaces: large,
                            edited: !(result.probeEdits ?? []).isEmpty, options: options, leads: leadsByKey,
                            galleryCaption: galleryCaption, subjectPhotos: subjectPhotos, image: budgeted)
            if omitted > 0 {
                html += "<p class=\"notes\">\(omitted) image\(omitted == 1 ? "" : "s") of this probe left out to keep the sheet "
                    + "small; every candidate is listed, and the result names them all.</p>\n"
            }
        }
        if !quiet.isEmpty {
            html += "<details class=\"quiet\"><summary>\(quiet.count) probe\(quiet.count == 1 ? "" : "s") without candidates</summary>\n"
            html += "<table class=\"list\"><tr><th>Probe</th><th>Faces</th><th>Notes</th></tr>\n"
            for index in quiet {
                let probe = probes[index]
                html += "<tr><td>\(escape(probe.image))</td><td>\(probe.faces.count)</td><td>\(escape(notes(probe: probe, faces: facesByProbe[index])))</td></tr>\n"
            }
            html += "</table></details>\n"
        }
        if probes.isEmpty { html += "<p class=\"notes\">No probe records.</p>\n" }
        html += "<footer><p>\(escape(result.statement))</p></footer>\n</body></html>\n"
        return html
    }

    /// A bulk sheet's summary: how many probes were searched and what they gave, then one row per
    /// probe with candidates (linking to its section), best distance first within the table's order.
    static func summary(probes: [ProbeRecord], faces: [[ResultFaces.Numbered]]) -> String {
        var withCandidates: [Int] = []
        var faceless = 0, unsearched = 0, noCandidate = 0
        for (index, probe) in probes.enumerated() {
            if probe.error != nil { unsearched += 1 } else if faces[index].isEmpty { faceless += 1 }
            else if faces[index].contains(where: { !$0.face.candidates.isEmpty }) { withCandidates.append(index) }
            else { noCandidate += 1 }
        }
        let faceCount = faces.reduce(0) { $0 + $1.count }
        let candidateCount = faces.joined().reduce(0) { $0 + $1.face.candidates.count }
        var html = "<section class=\"summary\"><h2>Summary</h2>\n<p>\(probes.count) probe\(probes.count == 1 ? "" : "s") searched: "
            + "<b>\(withCandidates.count) with candidates</b>, \(noCandidate) with faces but no candidate within the threshold, "
            + "\(faceless) without a face, \(unsearched) not searched. \(faceCount) face\(faceCount == 1 ? "" : "s"), "
            + "\(candidateCount) candidate\(candidateCount == 1 ? "" : "s"). Probes without candidates are only listed, at the end.</p>\n"
        if !withCandidates.isEmpty {
            html += "<table class=\"list\"><tr><th>Probe</th><th>Faces with candidates</th><th>Candidates</th><th>Closest</th></tr>\n"
            for index in withCandidates {
                let hits = faces[index].filter { !$0.face.candidates.isEmpty }
                let all = hits.flatMap(\.face.candidates)
                let closest = all.min { $0.distance < $1.distance }
                html += "<tr><td><a href=\"#probe-\(index + 1)\">\(escape(probes[index].image))</a></td><td>\(hits.count)</td>"
                    + "<td>\(all.count)</td><td>\(closest.map { "\(escape($0.subject)) \(String(format: "%.3f", $0.distance))" } ?? "")</td></tr>\n"
            }
            html += "</table>\n"
        }
        return html + "</section>\n"
    }

    /// One probe's section: each face's crop beside its candidates.
    /// - Parameter collapseQuietFaces: list the faces without candidates in one line (large sheets:
    ///   a crowd photo with one lead shows that face, not every face in the crowd).
    static func section(
        probe: ProbeRecord, faces allFaces: [ResultFaces.Numbered], withImages: Bool, collapseQuietFaces: Bool,
        edited: Bool = false, options: Options, leads: [String: LeadState] = [:],
        galleryCaption: (String) -> String? = { _ in nil }, subjectPhotos: (String) -> [SubjectPhoto] = { _ in [] },
        image: (Image) -> [UInt8]?
    ) -> String {
        let quiet = collapseQuietFaces ? allFaces.filter { $0.face.candidates.isEmpty } : []
        let faces = collapseQuietFaces ? allFaces.filter { !$0.face.candidates.isEmpty } : allFaces
        var html = "<section class=\"probe\"><h2>Probe \(escape(probe.image))"
            + (edited ? " <span class=\"badge edited-badge\">edited</span>" : "") + "</h2>\n"
        if let sha = probe.sha256 { html += "<p class=\"sha\">SHA-256 \(escape(sha))</p>\n" }
        if let error = probe.error { html += "<p class=\"notes\">Not searched: \(escape(error))</p>\n" }
        if allFaces.isEmpty, probe.error == nil { html += "<p class=\"notes\">No face found.</p>\n" }
        if !quiet.isEmpty {
            let numbers = quiet.map { "\($0.number)" }.joined(separator: ", ")
            html += "<p class=\"notes\">Faces without candidates: \(numbers) (\(escape(notes(probe: probe, faces: quiet))))</p>\n"
        }
        for numbered in faces {
            let face = numbered.face
            html += "<div class=\"face\" id=\"face-\(numbered.number)\">\n<figure class=\"probe-face\">"
            html += withImages ? img(image(.probeFace(number: numbered.number)), alt: "probe face \(numbered.number)") : ""
            html += "<figcaption><b>Face \(numbered.number)</b><br>box \(escape(face.box.map(String.init).joined(separator: ", ")))"
            if face.quality.ok {
                html += "<br><span class=\"ok\">quality ok</span>"
            } else {
                html += "<br><span class=\"bad\">not searched: \(escape(face.quality.reasons.joined(separator: ", ")))</span>"
            }
            html += "</figcaption></figure>\n"
            let candidates = face.candidates.sorted { $0.rank < $1.rank }
            if candidates.isEmpty {
                html += "<p class=\"none\">\(face.quality.ok ? "No candidate within the threshold." : "")</p>\n"
            }
            var textOnly: [FaceResult.Candidate] = []
            let firstBeyond = candidates.firstIndex { $0.withinThreshold == false }
            for (i, candidate) in candidates.enumerated() {
                guard withImages, i < options.maxImageCandidates else {
                    textOnly.append(candidate)
                    continue
                }
                if i == firstBeyond { html += beyondNote(i) }
                html += "<figure class=\"candidate\(candidate.withinThreshold == false ? " beyond" : "")\">"
                html += img(image(.gallery(image: candidate.image, subject: candidate.subject)),
                            alt: "candidate \(candidate.rank): \(candidate.subject)")
                html += "<figcaption><b>#\(candidate.rank)</b> \(escape(candidate.subject))<br>distance \(String(format: "%.3f", candidate.distance))"
                html += (candidate.withinThreshold == false ? "<br><span class=\"badge beyond-badge\">beyond the threshold</span>" : "")
                html += RarityText.sentence(estimatedFPIR: candidate.estimatedFPIR, upper95: candidate.estimatedFPIRUpper95)
                    .map { "<br><small class=\"rarity\">\(escape($0))</small>" } ?? ""
                html += "<br><small>\(escape(lastComponent(candidate.image)))</small>"
                html += galleryCaption(candidate.image).map { "<br><small class=\"provenance\">\(escape($0))</small>" } ?? ""
                html += allPhotos(subjectPhotos(candidate.subject), subject: candidate.subject)
                html += "<br>\(badge(leads[leadKey(numbered.number, candidate.subject)]))</figcaption></figure>\n"
            }
            if !textOnly.isEmpty {
                html += "<table class=\"list\"><tr><th>Rank</th><th>Subject</th><th>Distance</th><th>Gallery image</th><th>Lead</th></tr>\n"
                for candidate in textOnly {
                    html += "<tr><td>\(candidate.rank)</td><td>\(escape(candidate.subject))</td>"
                    html += "<td>\(String(format: "%.3f", candidate.distance))"
                        + (candidate.withinThreshold == false ? " <span class=\"badge beyond-badge\">beyond the threshold</span>" : "")
                        + "\(RarityText.sentence(estimatedFPIR: candidate.estimatedFPIR, upper95: candidate.estimatedFPIRUpper95).map { "<br><small>\(escape($0))</small>" } ?? "")</td><td>\(escape(lastComponent(candidate.image)))</td>"
                    html += "<td>\(badge(leads[leadKey(numbered.number, candidate.subject)]))</td></tr>\n"
                }
                html += "</table>\n"
            }
            html += reviewTable(candidates.compactMap { leads[leadKey(numbered.number, $0.subject)] })
            html += "</div>\n"
        }
        html += "</section>\n"
        return html
    }

    static func leadKey(_ face: Int, _ candidate: String) -> String { "\(face)\u{0}\(candidate)" }

    /// What a candidate list holds, for examiners.
    static func candidateListText(_ list: CandidateList) -> String {
        switch list {
        case .threshold:
            "within the threshold: only candidates at most the threshold's distance, nearest first; a face may have none"
        case .ranked:
            "ranked: the nearest subjects whatever their distance, nearest first; compare every one — those beyond the "
                + "threshold are set apart and are still more likely strangers"
        }
    }

    /// The divider before a ranked list's first candidate beyond the threshold.
    static func beyondNote(_ count: Int) -> String {
        "<p class=\"beyond-note\">Beyond the threshold: the nearest subjects "
            + (count == 0 ? "(none lies within it)" : "after the \(count) within it")
            + ", listed for comparison (a ranked list). A stranger this far is common: weigh these with more care still.</p>\n"
    }

    /// A lead's state as a short badge (no disposition while it is pending).
    static func badge(_ lead: LeadState?) -> String {
        guard let lead, !(lead.status == .pending && lead.inForce.isEmpty) else {
            return "<span class=\"badge lead-none\">not reviewed</span>"
        }
        switch lead.status {
        case .pending:
            let count = lead.inForce.count
            return "<span class=\"badge lead-pending\">pending: \(count) review\(count == 1 ? "" : "s")</span>"
        case .released: return "<span class=\"badge lead-released\">released lead</span>"
        case .disputed: return "<span class=\"badge lead-disputed\">disputed</span>"
        case .rejected: return "<span class=\"badge lead-rejected\">rejected</span>"
        }
    }

    /// The reviews, resolution and outcome of a face's reviewed leads. A pending lead's reviews are
    /// counted, never shown: the next examiner must not be led to the first one's answer.
    static func reviewTable(_ leads: [LeadState]) -> String {
        let reviewed = leads.filter { !$0.reviews.isEmpty || $0.resolution != nil || !$0.outcomes.isEmpty }
        guard !reviewed.isEmpty else { return "" }
        var html = "<table class=\"list leads\"><tr><th>Candidate</th><th>Lead</th><th>Dispositions</th><th>Outcome</th></tr>\n"
        for lead in reviewed {
            var dispositions: String
            if lead.dispositionsVisible {
                dispositions = lead.inForce.map { review in
                    "\(escape(review.examiner)): <b>\(escape(review.disposition.rawValue))</b> <small>\(escape(review.recorded))</small>"
                        + (review.note.map { " — \(escape($0))" } ?? "")
                }.joined(separator: "<br>")
                if let resolution = lead.resolution {
                    dispositions += "<br>Resolved by \(escape(resolution.supervisor)): <b>\(escape(resolution.disposition.rawValue))</b>"
                        + " <small>\(escape(resolution.recorded))</small> — \(escape(resolution.note))"
                }
            } else {
                let count = lead.inForce.count
                dispositions = count == 0 ? "" : "\(count) review\(count == 1 ? "" : "s") recorded; "
                    + "\(count == 1 ? "its disposition is" : "dispositions are") not shown until a second examiner's review"
            }
            var outcome = ""
            if let latest = lead.outcome {
                outcome = "<b>\(escape(latest.action.rawValue))</b> by \(escape(latest.recordedBy)) <small>\(escape(latest.recorded))</small>"
                    + (latest.corroboration.map { "<br>Corroboration: \(escape($0))" } ?? "")
            }
            html += "<tr><td>\(escape(lead.candidate))</td><td>\(badge(lead))</td><td>\(dispositions)</td><td>\(outcome)</td></tr>\n"
        }
        return html + "</table>\n"
    }

    /// The quality notes of a probe, in one line.
    static func notes(probe: ProbeRecord, faces: [ResultFaces.Numbered]) -> String {
        if let error = probe.error { return "not searched: \(error)" }
        if faces.isEmpty { return "no face found" }
        let searched = faces.filter { $0.face.quality.ok }.count
        let reasons = Set(faces.filter { !$0.face.quality.ok }.flatMap { $0.face.quality.reasons }).sorted()
        var parts: [String] = []
        if searched > 0 { parts.append("no candidate within the threshold") }
        if searched < faces.count { parts.append("not searched: " + (reasons.isEmpty ? "quality" : reasons.joined(separator: ", "))) }
        return parts.joined(separator: "; ")
    }

    /// The whole probe picture with each face's box drawn and numbered (inline SVG over the image,
    /// in the original pixels' coordinates: no script, printable).
    static func overviewFigure(_ picture: Picture, probe: ProbeRecord, faces: [ResultFaces.Numbered]) -> String {
        let stroke = max(2, max(picture.width, picture.height) / 300)
        var svg = "<svg class=\"boxes\" viewBox=\"0 0 \(picture.width) \(picture.height)\" preserveAspectRatio=\"none\" aria-hidden=\"true\">"
        for face in faces where face.face.box.count == 4 {
            let b = face.face.box
            let color = face.face.quality.ok ? "#ffd400" : "#ff5a5a"
            svg += "<rect x=\"\(b[0])\" y=\"\(b[1])\" width=\"\(b[2] - b[0] + 1)\" height=\"\(b[3] - b[1] + 1)\" fill=\"none\" "
                + "stroke=\"\(color)\" stroke-width=\"\(stroke)\"/>"
            let size = max(14, (b[2] - b[0]) / 4)
            svg += "<text x=\"\(b[0])\" y=\"\(max(size, b[1] - stroke))\" font-size=\"\(size)\" fill=\"\(color)\" stroke=\"#000\" "
                + "stroke-width=\"\(max(1, size / 12))\" paint-order=\"stroke\" font-weight=\"bold\">\(face.number)</text>"
        }
        svg += "</svg>"
        return "<figure class=\"overview\"><div class=\"overview-frame\">"
            + img(picture.jpeg, alt: "probe \(probe.image) with its faces numbered") + svg
            + "</div><figcaption>\(escape(probe.image)): \(faces.count) face\(faces.count == 1 ? "" : "s") numbered as below "
            + "(\(picture.width) × \(picture.height) pixels)</figcaption></figure>\n"
    }

    /// An embedded JPEG; `nil` says the image is not available, empty bytes that it was left out
    /// (a bulk sheet's size budget).
    static func img(_ bytes: [UInt8]?, alt: String) -> String {
        guard let bytes else { return "<div class=\"missing\">image not available</div>" }
        guard !bytes.isEmpty else { return "<div class=\"missing\">image left out (sheet size)</div>" }
        return "<img alt=\"\(escape(alt))\" src=\"data:image/jpeg;base64,\(Data(bytes).base64EncodedString())\">"
    }

    static func lastComponent(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    /// Escapes text for HTML element content and quoted attribute values.
    public static func escape(_ text: String) -> String { HTML.escape(text) }

    static let style = """
        body{font-family:system-ui,sans-serif;margin:1.5em;color:#111;background:#fff}
        figure.overview{margin:1em 0}.overview-frame{position:relative;display:inline-block;max-width:100%}
        .overview-frame img{display:block;max-width:100%;height:auto}
        .overview-frame svg.boxes{position:absolute;left:0;top:0;width:100%;height:100%}
        .provenance{color:#333}
        @media print{.overview-frame{break-inside:avoid}.face{break-inside:avoid}}
        h1{margin:0}.job{color:#555;margin:.2em 0 1em}
        .statement{border:3px solid #b00;background:#fff4f4;padding:.8em;font-size:1.05em}
        table.meta{border-collapse:collapse;margin:1em 0}table.meta th{text-align:left;padding:.2em 1em .2em 0;color:#444;white-space:nowrap}
        table.list{border-collapse:collapse;margin:.5em 0}table.list th,table.list td{border:1px solid #ccc;padding:.2em .5em;text-align:left}
        section.probe{border-top:2px solid #333;margin-top:1.5em;padding-top:.5em}
        .sha{font-family:monospace;font-size:.8em;color:#666;word-break:break-all}
        .face{display:flex;flex-wrap:wrap;align-items:flex-start;gap:.8em;margin:.8em 0;padding:.5em;background:#f6f6f6}
        figure{margin:0;text-align:center;font-size:.85em;width:280px}
        figure img{width:280px;height:280px;object-fit:contain;background:#222;display:block}
        .photos .photo{display:inline-block;margin:2px;width:90px}.photos .photo img{width:90px;height:90px}
        figure.overview{width:auto;text-align:left}figure.overview .overview-frame img{width:auto;height:auto;background:none}
        .probe-face{border-right:3px solid #333;padding-right:.8em}
        .missing{width:150px;height:150px;background:#ddd;color:#555;display:flex;align-items:center;justify-content:center}
        .ok{color:#060}.bad,.notes{color:#a50}.none{color:#666;align-self:center}
        code{background:#eee;padding:0 .2em}.hint{color:#444;font-size:.9em}
        footer{margin-top:2em;border-top:1px solid #ccc;color:#555;font-size:.9em}
        .badge{display:inline-block;white-space:nowrap;padding:0 .4em;border-radius:.3em;font-size:.85em;border:1px solid #999;background:#eee}
        .lead-pending{background:#fff6d6;border-color:#c90}.lead-released{background:#e4f6e4;border-color:#060}
        .lead-disputed{background:#ffe2cc;border-color:#c60}.lead-rejected{background:#eee;border-color:#666;color:#444}
        .edited{border:2px solid #c60;background:#fff3e6;padding:.5em .8em;margin:1em 0}.edited-badge{background:#ffe2cc;border-color:#c60}
        table.leads{width:100%;font-size:.9em;background:#fff}
        .beyond-note{flex-basis:100%;margin:.3em 0 0;padding:.3em .6em;border-top:2px dashed #888;color:#444;font-size:.9em}
        figure.beyond{opacity:.85}figure.beyond img{outline:3px dashed #888;outline-offset:-3px}.beyond-badge{background:#f0f0f0;border-style:dashed}
        """
}
