import Foundation
import Hashing
import Imaging
import Results
import Reviews
import Store
import SystemCalls

/// Writes a completed job's examiner's sheet `outbox/results/<job>.html` (mode 0640, via `tmp/`,
/// synced, renamed into place like the result), cutting the face crops it embeds from the
/// evidence and gallery images. It knows nothing of the spool: it is given the results directory,
/// where to build files, how to read a probe image, and the gallery.
///
/// Probe crops are the face's box (with a margin) in the probe image; gallery crops are the
/// box of the candidate image's face as enrolled (the largest, for an image with several faces).
/// Each crop is scaled to at most ``cropSide`` pixels and encoded as JPEG.
///
/// Used by one thread at a time (it uses the caller's database connection).
public struct ExaminerSheetWriter {
    /// The longest side of an embedded crop, in pixels.
    public static let cropSide = 280
    /// The longest side of the whole probe picture on the sheet, in pixels.
    public static let overviewSide = 960

    public let results: ResultFiles
    /// Where the sheet is built before it is renamed into place (on the results' filesystem).
    public let temporaryDirectory: String
    let probeBytes: (String) -> [UInt8]?
    let gallery: GalleryStore
    /// Where the pictures made from the probes are kept between renders (`nil`: not kept).
    let pictureCache: SheetPictureCache?
    /// Probe images decoded by this writer (for tests: a re-render decodes none).
    public private(set) var probesDecoded = 0
    let decoder: JPEGDecoder
    let encoder = JPEGEncoder(quality: 85)
    /// For a bulk sheet's small crops.
    let bulkEncoder = JPEGEncoder(quality: 75)

    /// - Parameters:
    ///   - results: the outbox's results directory.
    ///   - temporaryDirectory: where the file is written before its rename.
    ///   - gallery: the gallery (where each candidate's face is in its image).
    ///   - maximumImageBytes: the largest image file decoded.
    ///   - probeBytes: the bytes of a probe image as the job named it, or `nil` when it cannot be read.
    ///   - pictureCache: where the pictures made from the probes are kept between renders.
    public init(results: ResultFiles, temporaryDirectory: String, gallery: GalleryStore, maximumImageBytes: Int,
                pictureCache: SheetPictureCache? = nil, probeBytes: @escaping (String) -> [UInt8]?) {
        self.pictureCache = pictureCache
        self.results = results
        self.temporaryDirectory = temporaryDirectory
        self.gallery = gallery
        self.probeBytes = probeBytes
        decoder = JPEGDecoder(maxPixels: 64 << 20, maxFileBytes: max(maximumImageBytes, 64 << 20))
    }

    /// Writes the sheet of a completed job.
    /// - Parameters:
    ///   - result: the job's result document; a bulk job's probe lines are read from the outbox.
    ///   - leads: the job's leads as they stand (``Leads/leadStatus(job:)``); empty before any review.
    ///   - group: the group that may read the sheet (the requester's agency's), as for the result.
    /// - Returns: the sheet's path.
    /// - Throws: ``SystemCallError`` and decoding errors from reading the probe lines or writing the file.
    @discardableResult
    public mutating func write(_ result: JobResult, leads: [LeadState] = [], group: UInt32? = nil) throws -> String {
        let probes = try results.probes(of: result)
        let faces = ResultFaces(probes)
        let options: ExaminerSheet.Options = result.probeCount != nil ? .bulk : ExaminerSheet.Options()
        // A bulk sheet's crops are smaller and more compressed (its size budget, ExaminerSheet.Options.bulk).
        let side = options.cropSide
        let cropEncoder = result.probeCount != nil ? bulkEncoder : encoder
        var probeImages: [Int: RGBImage?] = [:]
        var galleryCrops: [String: [UInt8]?] = [:]
        // Pictures from the probes kept by an earlier render: the probes are decoded only for what is missing.
        var kept = pictureCache?.load(job: result.job) ?? [:]
        let keptBefore = kept.count
        var decoded = 0
        func probe(_ index: Int) -> RGBImage? {
            if probeImages[index] == nil {
                probeImages[index] = probeImage(probes[index].image)
                decoded += 1
            }
            return probeImages[index] ?? nil
        }
        func keeping(_ key: String, make: () -> SheetPictureCache.Picture?) -> SheetPictureCache.Picture? {
            if let picture = kept[key] { return picture }
            let picture = make()
            if let picture { kept[key] = picture }
            return picture
        }
        let html = ExaminerSheet.render(
            result: result, probes: probes, options: options, leads: leads,
            overview: { index in
                let picture = keeping("overview-\(index)") {
                    guard let image = probe(index), let jpeg = try? encoder.encode(image.fitting(maxSide: Self.overviewSide))
                    else { return nil }
                    return SheetPictureCache.Picture(jpeg: Data(jpeg), width: image.width, height: image.height)
                }
                guard let picture, let width = picture.width, let height = picture.height else { return nil }
                return ExaminerSheet.Picture(jpeg: Array(picture.jpeg), width: width, height: height)
            },
            galleryCaption: { path in galleryCaption(path) },
            subjectPhotos: { subject in result.probeCount != nil ? [] : subjectPhotos(subject) }
        ) { wanted in
            switch wanted {
            case .probeFace(let number):
                return keeping("face-\(number)-\(side)") {
                    guard let face = faces.face(number), let image = probe(face.probeIndex), face.face.box.count == 4,
                          let jpeg = crop(image, left: face.face.box[0], top: face.face.box[1], right: face.face.box[2],
                                          bottom: face.face.box[3], side: side, encoder: cropEncoder)
                    else { return nil }
                    return SheetPictureCache.Picture(jpeg: Data(jpeg))
                }.map { Array($0.jpeg) }
            case .gallery(let path, _):
                if let cached = galleryCrops[path] { return cached }
                let bytes = galleryCrop(path, side: side, encoder: cropEncoder)
                galleryCrops[path] = bytes
                return bytes
            }
        }
        let path = results.sheetFile(result.job)
        try DurableFile.write(Array(html.utf8), to: path, via: temporaryDirectory, mode: 0o640, group: group)
        probesDecoded += decoded
        if kept.count > keptBefore { try? pictureCache?.save(kept, job: result.job) }  // best effort: a view's cache
        return path
    }

    /// The pictures of a disclosure packet: every probe whole (scaled to ``overviewSide``), every
    /// face, and every candidate's gallery face, each as JPEG; a picture that cannot be made (a file
    /// unreadable, or no longer the one searched or enrolled) is left out (a gallery image keeps its
    /// record, without a picture).
    public func disclosureImages(_ probes: [ProbeRecord]) -> DisclosurePacket.Images {
        var probeImages: [DisclosurePacket.Images.ProbeImage] = []
        var faceImages: [DisclosurePacket.Images.FaceImage] = []
        var galleryImages: [DisclosurePacket.Images.GalleryImage] = []
        var seen = Set<String>()
        let numbered = ResultFaces(probes)
        for (index, probe) in probes.enumerated() {
            let faces = numbered.faces.filter { $0.probeIndex == index }
            // Only the very file searched: one changed since (its SHA-256 differs) is not shown.
            if let bytes = probeBytes(probe.image), probe.sha256 == nil || SHA256.hex(bytes) == probe.sha256,
               let image = try? decoder.decode(bytes, path: probe.image)
            {
                if let jpeg = try? encoder.encode(image.fitting(maxSide: Self.overviewSide)) {
                    probeImages.append(.init(probe: probe.image, sha256: probe.sha256, width: image.width,
                                             height: image.height, jpeg: jpeg))
                }
                for face in faces where face.face.box.count == 4 {
                    let b = face.face.box
                    if let jpeg = crop(image, left: b[0], top: b[1], right: b[2], bottom: b[3]) {
                        faceImages.append(.init(face: face.number, jpeg: jpeg))
                    }
                }
            }
            for face in faces {
                for candidate in face.face.candidates where seen.insert(candidate.image).inserted {
                    let enrolled = try? gallery.enrolledFace(imagePath: candidate.image)
                    galleryImages.append(.init(image: candidate.image, subject: candidate.subject,
                                               sha256: enrolled?.imageSHA256, source: enrolled?.source,
                                               captured: enrolled?.captured, jpeg: galleryCrop(candidate.image)))
                }
            }
        }
        return DisclosurePacket.Images(probes: probeImages, faces: faceImages, gallery: galleryImages)
    }

    /// The decoded probe image, or `nil` when it cannot be read (the sheet then says so).
    func probeImage(_ probe: String) -> RGBImage? {
        guard let bytes = probeBytes(probe) else { return nil }
        return try? decoder.decode(bytes, path: probe)
    }

    /// The crop of a gallery image's enrolled face, or `nil` when the image is not enrolled, cannot
    /// be read, or is no longer the file that was enrolled (its SHA-256 differs).
    func galleryCrop(_ path: String, side: Int = cropSide, encoder: JPEGEncoder? = nil) -> [UInt8]? {
        guard let face = try? gallery.enrolledFace(imagePath: path),
              let bytes = try? DurableFile.read(path, limit: 256 << 20),
              SHA256.hex(bytes) == face.imageSHA256,
              let image = try? decoder.decode(bytes, path: path)
        else { return nil }
        return crop(image, left: face.box.left, top: face.box.top, right: face.box.right, bottom: face.box.bottom,
                    side: side, encoder: encoder)
    }

    /// Who the candidate is and what the photo is, as enrolled: the name and date of birth of an
    /// imported booking, the photo's date, how many photos the subject has, and the source
    /// ("DOE,JOHN, born 1980-02-03; photo of 2020-01-01; 3 photos; source: booking").
    func galleryCaption(_ path: String) -> String? {
        guard let face = try? gallery.enrolledFace(imagePath: path) else { return nil }
        let subject = try? gallery.subject(ofImage: path)
        let who = [subject?.name, subject?.dateOfBirth.map { "born \($0)" }].compactMap { $0 }.joined(separator: ", ")
        let parts = [who.isEmpty ? nil : who, face.captured.map { "photo of \($0)" },
                     subject.map { "\($0.images) photo\($0.images == 1 ? "" : "s")" },
                     face.source.map { "source: \($0)" }].compactMap { $0 }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }

    /// The most photos of one subject shown under a candidate.
    public static let maxSubjectPhotos = 12

    /// Every photo of a subject (up to ``maxSubjectPhotos``, oldest enrollment first) as face crops,
    /// each captioned with its date; photos whose file cannot be read or changed are left out.
    func subjectPhotos(_ subject: String) -> [SubjectPhoto] {
        guard let images = try? gallery.images(ofSubject: subject), images.count > 1 else { return [] }
        return images.prefix(Self.maxSubjectPhotos).compactMap { image in
            guard let box = image.box, let bytes = try? DurableFile.read(image.path, limit: 256 << 20),
                  SHA256.hex(bytes) == image.sha256, let decoded = try? decoder.decode(bytes, path: image.path),
                  let jpeg = crop(decoded, left: box.left, top: box.top, right: box.right, bottom: box.bottom)
            else { return nil }
            let caption = [image.captured.map { "photo of \($0)" } ?? "undated", image.pose.map { "pose \($0)" }]
                .compactMap { $0 }.joined(separator: ", ")
            return SubjectPhoto(jpeg: jpeg, caption: caption)
        }
    }

    /// A face box with a margin, scaled to at most `side` (``cropSide``), as JPEG.
    func crop(_ image: RGBImage, left: Int, top: Int, right: Int, bottom: Int, side: Int = cropSide,
              encoder: JPEGEncoder? = nil) -> [UInt8]? {
        guard let face = image.cropped(left: left, top: top, right: right, bottom: bottom, margin: 0.25) else { return nil }
        return try? (encoder ?? self.encoder).encode(face.fitting(maxSide: side))
    }
}
