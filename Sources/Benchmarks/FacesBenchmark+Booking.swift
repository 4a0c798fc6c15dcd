import Basics
import Dispatch
import FaceEngine
import Imaging

/// `frs bench faces --booking`: the booking-photo pipeline against the full one, timings and parity.
///
/// Per image: `{"image", "width", "height", "full_seconds", "booking_seconds", "first_level",
/// "fallback" (why the full pipeline ran, or null), "full_faces", "booking_faces", "same_box" (the
/// largest face's box), "distance" (between the largest faces' descriptors), "full_box",
/// "booking_box"}`; then a summary with both totals, the fallback count and how many photos enrol
/// the same face within 0.03.
extension FacesBenchmark {
    /// Both pipelines on every image, then the summary line.
    func runBooking(_ output: BenchmarkOutput, analyzer: FaceAnalyzer) throws -> BenchmarkVerdict {
        var summary = BookingSummary()
        for path in images {
            guard let comparison = try compareBooking(path, analyzer: analyzer) else { continue }
            summary.add(comparison)
            output.result(comparison.jsonLine(path))
        }
        output.result(summary.jsonLine(images: images.count))
        return .passed
    }

    /// One image through both pipelines, each the best of ``repeatCount`` runs; `nil` when no run
    /// was made.
    func compareBooking(_ path: String, analyzer: FaceAnalyzer) throws -> BookingComparison? {
        let bytes = try ImageFile.read(path)
        let image = try analyzer.decoder.decode(bytes, path: path)
        var best = (full: Double.infinity, booking: Double.infinity)
        var full = ImageFaces(width: 0, height: 0, detectionScale: 1, faces: [])
        var reduced: FaceAnalyzer.BookingPhotoAnalysis? = nil
        for _ in 0..<repeatCount {
            var t = DispatchTime.now()
            full = analyzer.analyze(image)
            best.full = min(best.full, BenchmarkClock.seconds(since: t))
            t = DispatchTime.now()
            reduced = analyzer.analyzeBookingPhoto(image)
            best.booking = min(best.booking, BenchmarkClock.seconds(since: t))
        }
        guard let reduced else { return nil }
        return BookingComparison(width: image.width, height: image.height, fullSeconds: best.full, bookingSeconds: best.booking,
                                 full: full, booking: reduced)
    }

    /// What one image's two analyses found, and how alike their largest faces are.
    struct BookingComparison {
        var width: Int, height: Int
        var fullSeconds: Double, bookingSeconds: Double
        var full: ImageFaces
        var booking: FaceAnalyzer.BookingPhotoAnalysis

        /// The largest face of the full pipeline.
        var fullLargest: FaceDescription? { full.faces.max { $0.box.area < $1.box.area } }
        /// The largest face of the booking pipeline.
        var bookingLargest: FaceDescription? { booking.faces.faces.max { $0.box.area < $1.box.area } }

        /// The distance between the largest faces' descriptors (`nil` unless both have one).
        var distance: Double? {
            guard let a = fullLargest, let b = bookingLargest, let da = a.descriptor, let db = b.descriptor else { return nil }
            var sum = 0.0
            for (x, y) in zip(da, db) { sum += Double(x - y) * Double(x - y) }
            return sum.squareRoot()
        }

        /// Whether both found the same box for the largest face (or neither found a face).
        var sameBox: Bool { fullLargest?.box == bookingLargest?.box }

        /// Whether both enrol the same face: within 0.03, the boxes overlapping by more than half
        /// of the full pipeline's box.
        var sameFace: Bool {
            guard let a = fullLargest, let b = bookingLargest, let distance, distance <= 0.03 else { return false }
            return a.box.intersection(b.box).area * 2 > a.box.area
        }

        func jsonLine(_ path: String) -> String {
            JSONText.object([
                ("image", JSONText.string(path)), ("width", String(width)), ("height", String(height)),
                ("full_seconds", JSONText.number(fullSeconds)), ("booking_seconds", JSONText.number(bookingSeconds)),
                ("first_level", String(booking.firstLevel)),
                ("fallback", booking.fallbackReason.map(JSONText.string) ?? "null"),
                ("full_faces", String(full.faces.count)), ("booking_faces", String(booking.faces.faces.count)),
                ("same_box", String(sameBox)), ("distance", distance.map(JSONText.number) ?? "null"),
                ("full_box", fullLargest.map { Self.boxText($0) } ?? "null"),
                ("booking_box", bookingLargest.map { Self.boxText($0) } ?? "null"),
            ])
        }

        /// `[left, top, right, bottom, confidence]`.
        static func boxText(_ face: FaceDescription) -> String {
            let b = face.box
            return JSONText.array([b.left, b.top, b.right, b.bottom].map { String($0) } + [JSONText.number(face.confidence ?? 0)])
        }
    }

    /// The totals over the images of `--booking`.
    struct BookingSummary {
        var fullSeconds = 0.0, bookingSeconds = 0.0
        var fallbacks = 0
        /// Images where either pipeline found a face, and of those: the same largest box, the same face.
        var compared = 0, sameBox = 0, sameFace = 0
        /// The largest distance between the largest faces (infinite when one had no descriptor).
        var maxDistance = 0.0

        mutating func add(_ image: BookingComparison) {
            fullSeconds += image.fullSeconds
            bookingSeconds += image.bookingSeconds
            if image.booking.fallbackReason != nil { fallbacks += 1 }
            guard image.fullLargest != nil || image.bookingLargest != nil else { return }
            compared += 1
            if image.sameBox { sameBox += 1 }
            if image.sameFace { sameFace += 1 }
            maxDistance = max(maxDistance, image.distance ?? Double.infinity)
        }

        func jsonLine(images: Int) -> String {
            JSONText.object([
                ("images", String(images)), ("full_seconds", JSONText.number(fullSeconds)),
                ("booking_seconds", JSONText.number(bookingSeconds)),
                ("speedup", JSONText.number(bookingSeconds > 0 ? fullSeconds / bookingSeconds : 0)),
                ("fallbacks", String(fallbacks)), ("with_faces", String(compared)), ("same_box", String(sameBox)),
                ("same_face_within_0.03", String(sameFace)), ("max_distance", JSONText.number(maxDistance)),
            ])
        }
    }
}
