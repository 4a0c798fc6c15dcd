import Foundation
import Imaging
import Store
import SystemCalls

/// Writes a completed job's examiner's sheet `outbox/results/<job>.html` (mode 0640, via `tmp/`,
/// synced, renamed into place like the result), cutting the face crops it embeds from the
/// evidence and gallery images.
///
/// Probe crops are the face's box (with a margin) in the probe image; gallery crops are the
/// box of the candidate image's face as enrolled (the largest, for an image with several faces).
/// Each crop is scaled to at most ``cropSide`` pixels and encoded as JPEG.
///
/// Used by one thread at a time (it uses the caller's database connection).
public struct ExaminerSheetWriter {
    /// The longest side of an embedded crop, in pixels.
    public static let cropSide = 150

    public let layout: SpoolLayout
    let evidence: EvidenceStore
    let database: Database
    let decoder: JPEGDecoder
    let encoder = JPEGEncoder(quality: 85)

    /// - Parameters:
    ///   - layout: the spool.
    ///   - evidence: where the probe images are.
    ///   - database: the spool's database (the gallery's tables).
    public init(layout: SpoolLayout, evidence: EvidenceStore, database: Database) {
        self.layout = layout
        self.evidence = evidence
        self.database = database
        decoder = JPEGDecoder(maxPixels: 64 << 20, maxFileBytes: max(evidence.maximumProbeBytes, 64 << 20))
    }

    /// Writes the sheet of a completed job.
    /// - Parameter result: the job's result document; a bulk job's probe lines are read from the outbox.
    /// - Returns: the sheet's path.
    /// - Throws: ``SystemCallError`` and decoding errors from reading the probe lines or writing the file.
    @discardableResult
    public func write(_ result: JobResult) throws -> String {
        let probes = try ResultFaces.probes(of: result, layout: layout)
        let faces = ResultFaces(probes)
        let options: ExaminerSheet.Options = result.probeCount != nil ? .bulk : ExaminerSheet.Options()
        var probeImages: [Int: RGBImage?] = [:]
        var galleryCrops: [String: [UInt8]?] = [:]
        let html = ExaminerSheet.render(result: result, probes: probes, options: options) { wanted in
            switch wanted {
            case .probeFace(let number):
                guard let face = faces.face(number) else { return nil }
                if probeImages[face.probeIndex] == nil {
                    probeImages[face.probeIndex] = probeImage(probes[face.probeIndex].image)
                }
                guard let image = probeImages[face.probeIndex] ?? nil, face.face.box.count == 4 else { return nil }
                let box = face.face.box
                return crop(image, left: box[0], top: box[1], right: box[2], bottom: box[3])
            case .gallery(let path, _):
                if let cached = galleryCrops[path] { return cached }
                let bytes = galleryCrop(path)
                galleryCrops[path] = bytes
                return bytes
            }
        }
        let path = layout.sheetFile(result.job)
        try DurableFile.write(Array(html.utf8), to: path, via: layout.tmp, mode: 0o640)
        return path
    }

    /// The decoded probe image, or `nil` when it cannot be read (the sheet then says so).
    func probeImage(_ probe: String) -> RGBImage? {
        guard let path = try? evidence.resolve(probe), let bytes = try? evidence.read(canonicalPath: path, probe: probe) else {
            return nil
        }
        return try? decoder.decode(bytes, path: path)
    }

    /// The crop of a gallery image's enrolled face, or `nil`.
    func galleryCrop(_ path: String) -> [UInt8]? {
        let rows = try? database.query(
            """
            SELECT f.box_left, f.box_top, f.box_right, f.box_bottom FROM gallery_faces f
            JOIN gallery_images i ON f.image_id = i.id WHERE i.path = ?
            ORDER BY (f.box_right - f.box_left) * (f.box_bottom - f.box_top) DESC LIMIT 1
            """, [.text(path)])
        guard let row = rows?.first, let l = row.int(0), let t = row.int(1), let r = row.int(2), let b = row.int(3),
              let image = try? decoder.decode(contentsOf: path)
        else { return nil }
        return crop(image, left: Int(l), top: Int(t), right: Int(r), bottom: Int(b))
    }

    /// A face box with a margin, scaled to at most ``cropSide``, as JPEG.
    func crop(_ image: RGBImage, left: Int, top: Int, right: Int, bottom: Int) -> [UInt8]? {
        guard let face = image.cropped(left: left, top: top, right: right, bottom: bottom, margin: 0.25) else { return nil }
        return try? encoder.encode(face.fitting(maxSide: Self.cropSide))
    }
}

extension SpoolLayout {
    /// The examiner's sheet of `job`.
    public func sheetFile(_ job: String) -> String { "\(results)/\(job).html" }
}
