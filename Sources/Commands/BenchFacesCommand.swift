import FaceEngine
import Foundation
import Imaging

/// `frs bench faces IMAGE...`: the face engine's speed per stage, for `scripts/bench-faces.py`.
struct BenchFacesCommand: Subcommand {
    static let words = ["bench", "faces"]
    static let abstract = "face engine benchmark: decode, detection and description times per image"
    static let usage = "bench faces [--repeat N] [--upsample N] [--booking] IMAGE..."
    static let help = """
          --repeat N      runs per image; the best time of each stage is reported (default 1)
          --upsample N    detector upsampling (default 1, as face_recognition)
          --booking       compare the booking-photo pipeline with the full one instead (see below)

        One JSON line per image: {"image", "width", "height", "faces", "decode_seconds",
        "detect_seconds", "describe_seconds"} (describe = landmarks, chips and descriptors of every
        face); then a summary line. Images run one after another, each stage using every core.
        The summary also has "stages": per detector stage (the pyramid, then each convolution) the
        seconds, GFLOP/s and percent of the FMA peak, summed over the images' best runs; the
        descriptor network's GFLOP/s (one chip at a time on every core); and the FMA peak (10
        independent SIMD8 accumulators on every core). The peak is measured right before and right
        after every detection, and each run is compared with the higher of its two: on a virtual
        machine whose cores come and go (two vCPUs on one physical core, then on two) a peak measured
        once is no ceiling for a stage run seconds later. "fma_peak_gflops_adjacent": those peaks,
        weighted by the best runs' time (what the percentages divide by); "fma_peak_gflops": the
        highest measured; "fma_peak_gflops_1_thread": one thread's, measured once. The same per
        second of the process's processor time, steadier on a machine others are loading:
        "cpu_seconds" and "percent_of_peak_per_cpu_second" per stage,
        "detector_convolutions_percent_of_peak_per_cpu_second", against
        "fma_peak_gflops_per_cpu_second" (the higher of the peaks measured first and last).

        With --booking, per image: {"image", "width", "height", "full_seconds", "booking_seconds",
        "first_level", "fallback" (why the full pipeline ran, or null), "full_faces", "booking_faces",
        "same_box" (the largest face's box), "distance" (between the largest faces' descriptors)}; then
        a summary with both totals, the fallback count and how many photos enrol the same face within
        0.03 (upsample 1 only).
        """

    var images: [String]
    var repeatCount: Int
    var upsample: Int
    var booking: Bool

    init(arguments: inout ArgumentList) throws(UsageError) {
        repeatCount = try arguments.int("--repeat", in: 1...100) ?? 1
        upsample = try arguments.int("--upsample", in: 0...2) ?? 1
        booking = arguments.flag("--booking")
        images = try arguments.positionals()
        guard !images.isEmpty else { throw UsageError("no image given") }
    }

    func run(_ context: CommandContext) throws -> Int32 {
        let loadStart = DispatchTime.now()
        let analyzer = try FaceAnalyzer(modelsDirectory: context.models)
        let loadSeconds = Self.seconds(since: loadStart)
        if booking { return try runBooking(context, analyzer: analyzer) }
        let threads = ProcessInfo.processInfo.activeProcessorCount
        var peak = FaceDetector.fmaPeak(threads: threads)
        let peakOne = FaceDetector.fmaPeak(threads: 1)
        var cpuPeak = FaceDetector.fmaPeakPerCPUSecond(threads: threads)  // per processor-second; again at the end
        var totals = (decode: 0.0, detect: 0.0, describe: 0.0, faces: 0)
        var stageTotals: [FaceDetector.StageTiming] = []
        // Per stage: Σ seconds × the peak adjacent to the run (the FLOP the peak would have done).
        var stagePeakFlops: [Double] = [], detectPeakFlops = 0.0
        var chipSeconds = 0.0, chips = 0
        for path in images {
            let bytes = try FacesOutput.read(path)
            var best = (decode: Double.infinity, detect: Double.infinity, describe: Double.infinity)
            var faceCount = 0, width = 0, height = 0
            var bestStages: [FaceDetector.StageTiming] = [], bestChip = Double.infinity, bestPeak = 0.0
            for _ in 0..<repeatCount {
                var t = DispatchTime.now()
                let image = try analyzer.decoder.decode(bytes, path: path)
                best.decode = min(best.decode, Self.seconds(since: t))
                let before = FaceDetector.fmaPeak(threads: threads)
                t = DispatchTime.now()
                let (detections, stages) = analyzer.detector.detectProfiled(image, upsample: upsample)
                let detectSeconds = Self.seconds(since: t)
                let adjacent = max(before, FaceDetector.fmaPeak(threads: threads))
                peak = max(peak, adjacent)
                if detectSeconds < best.detect {
                    bestStages = stages
                    bestPeak = adjacent
                }
                best.detect = min(best.detect, detectSeconds)
                t = DispatchTime.now()
                let faces = analyzer.faces(in: image, detections: detections, describe: true)
                best.describe = min(best.describe, Self.seconds(since: t))
                faceCount = faces.count
                if let chip = faces.first?.chip {
                    t = DispatchTime.now()
                    _ = analyzer.descriptorNetwork.descriptor(chip: chip)
                    bestChip = min(bestChip, Self.seconds(since: t))
                }
                width = image.width
                height = image.height
            }
            totals.decode += best.decode
            totals.detect += best.detect
            totals.describe += best.describe
            totals.faces += faceCount
            if bestChip.isFinite {
                chipSeconds += bestChip
                chips += 1
            }
            if stageTotals.isEmpty {
                stageTotals = bestStages
                stagePeakFlops = bestStages.map { $0.seconds * bestPeak }
            } else {
                for i in stageTotals.indices where i < bestStages.count {
                    stageTotals[i].seconds += bestStages[i].seconds
                    stageTotals[i].flops += bestStages[i].flops
                    stageTotals[i].cpuSeconds += bestStages[i].cpuSeconds
                    stagePeakFlops[i] += bestStages[i].seconds * bestPeak
                }
            }
            detectPeakFlops += best.detect * bestPeak
            context.out(JSONText.object([
                ("image", JSONText.string(path)), ("width", String(width)), ("height", String(height)),
                ("faces", String(faceCount)), ("decode_seconds", JSONText.number(best.decode)),
                ("detect_seconds", JSONText.number(best.detect)), ("describe_seconds", JSONText.number(best.describe)),
            ]))
        }
        peak = max(peak, FaceDetector.fmaPeak(threads: threads))
        cpuPeak = max(cpuPeak, FaceDetector.fmaPeakPerCPUSecond(threads: threads))
        let stageFields = zip(stageTotals, stagePeakFlops).map { stage, peakFlops -> String in
            let gflops = stage.seconds > 0 ? stage.flops / stage.seconds / 1e9 : 0
            return JSONText.object([
                ("stage", JSONText.string(stage.name)), ("seconds", JSONText.number(stage.seconds)),
                ("gflop", JSONText.number((stage.flops / 1e9 * 1000).rounded() / 1000)),
                ("gflops", JSONText.number((gflops * 10).rounded() / 10)),
                ("percent_of_peak", JSONText.number(peakFlops > 0 ? (stage.flops / peakFlops * 1000).rounded() / 10 : 0)),
                ("cpu_seconds", JSONText.number(stage.cpuSeconds)),
                ("percent_of_peak_per_cpu_second", JSONText.number(Self.percent(stage.flops, of: stage.cpuSeconds * cpuPeak))),
            ])
        }
        let convolution = zip(stageTotals, stagePeakFlops).filter { $0.0.flops > 0 }
        let convSeconds = convolution.reduce(0) { $0 + $1.0.seconds }, convFlops = convolution.reduce(0) { $0 + $1.0.flops }
        let convPeakFlops = convolution.reduce(0) { $0 + $1.1 }
        let adjacentPeak = totals.detect > 0 ? detectPeakFlops / totals.detect : peak
        let descriptorGflops = chips > 0 ? analyzer.descriptorNetwork.flopsPerChip * Double(chips) / chipSeconds / 1e9 : 0
        context.out(JSONText.object([
            ("images", String(images.count)), ("faces", String(totals.faces)),
            ("fma_peak_gflops", JSONText.number((peak / 1e8).rounded() / 10)),
            ("fma_peak_gflops_adjacent", JSONText.number((adjacentPeak / 1e8).rounded() / 10)),
            ("fma_peak_gflops_1_thread", JSONText.number((peakOne / 1e8).rounded() / 10)),
            ("stages", JSONText.array(stageFields)),
            ("detector_convolutions_gflops", JSONText.number(convSeconds > 0 ? (convFlops / convSeconds / 1e8).rounded() / 10 : 0)),
            ("detector_convolutions_percent_of_peak",
             JSONText.number(convPeakFlops > 0 ? (convFlops / convPeakFlops * 1000).rounded() / 10 : 0)),
            ("fma_peak_gflops_per_cpu_second", JSONText.number((cpuPeak / 1e8).rounded() / 10)),
            ("detector_convolutions_percent_of_peak_per_cpu_second",
             JSONText.number(Self.percent(convFlops, of: convolution.reduce(0) { $0 + $1.0.cpuSeconds } * cpuPeak))),
            ("descriptor_gflops", JSONText.number((descriptorGflops * 10).rounded() / 10)),
            ("descriptor_percent_of_peak", JSONText.number((descriptorGflops * 1e9 / adjacentPeak * 1000).rounded() / 10)),
            ("model_load_seconds", JSONText.number(loadSeconds)),
            ("decode_seconds", JSONText.number(totals.decode)), ("detect_seconds", JSONText.number(totals.detect)),
            ("describe_seconds", JSONText.number(totals.describe)),
            ("describe_seconds_per_face", JSONText.number(totals.faces > 0 ? totals.describe / Double(totals.faces) : 0)),
        ]))
        return 0
    }

    /// `--booking`: both pipelines on every image, timings and parity.
    func runBooking(_ context: CommandContext, analyzer: FaceAnalyzer) throws -> Int32 {
        var total = (full: 0.0, booking: 0.0)
        var fallbacks = 0, same = 0, sameBox = 0, compared = 0, maxDistance = 0.0
        for path in images {
            let bytes = try FacesOutput.read(path)
            let image = try analyzer.decoder.decode(bytes, path: path)
            var best = (full: Double.infinity, booking: Double.infinity)
            var full = ImageFaces(width: 0, height: 0, detectionScale: 1, faces: [])
            var reduced: FaceAnalyzer.BookingPhotoAnalysis? = nil
            for _ in 0..<repeatCount {
                var t = DispatchTime.now()
                full = analyzer.analyze(image)
                best.full = min(best.full, Self.seconds(since: t))
                t = DispatchTime.now()
                reduced = analyzer.analyzeBookingPhoto(image)
                best.booking = min(best.booking, Self.seconds(since: t))
            }
            guard let reduced else { continue }
            total.full += best.full
            total.booking += best.booking
            if reduced.fallbackReason != nil { fallbacks += 1 }
            let a = full.faces.max { $0.box.area < $1.box.area }
            let b = reduced.faces.faces.max { $0.box.area < $1.box.area }
            var distance: Double? = nil
            if let a, let b, let da = a.descriptor, let db = b.descriptor {
                var sum = 0.0
                for (x, y) in zip(da, db) { sum += Double(x - y) * Double(x - y) }
                distance = sum.squareRoot()
            }
            let boxesMatch = a?.box == b?.box
            if a != nil || b != nil {
                compared += 1
                if boxesMatch { sameBox += 1 }
                var overlapping = false
                if let a, let b { overlapping = a.box.intersection(b.box).area * 2 > a.box.area }
                if let distance, distance <= 0.03, overlapping { same += 1 }
                maxDistance = max(maxDistance, distance ?? Double.infinity)
            }
            context.out(JSONText.object([
                ("image", JSONText.string(path)), ("width", String(image.width)), ("height", String(image.height)),
                ("full_seconds", JSONText.number(best.full)), ("booking_seconds", JSONText.number(best.booking)),
                ("first_level", String(reduced.firstLevel)),
                ("fallback", reduced.fallbackReason.map(JSONText.string) ?? "null"),
                ("full_faces", String(full.faces.count)), ("booking_faces", String(reduced.faces.faces.count)),
                ("same_box", String(boxesMatch)), ("distance", distance.map(JSONText.number) ?? "null"),
                ("full_box", a.map { Self.boxText($0) } ?? "null"), ("booking_box", b.map { Self.boxText($0) } ?? "null"),
            ]))
        }
        context.out(JSONText.object([
            ("images", String(images.count)), ("full_seconds", JSONText.number(total.full)),
            ("booking_seconds", JSONText.number(total.booking)),
            ("speedup", JSONText.number(total.booking > 0 ? total.full / total.booking : 0)),
            ("fallbacks", String(fallbacks)), ("with_faces", String(compared)), ("same_box", String(sameBox)),
            ("same_face_within_0.03", String(same)), ("max_distance", JSONText.number(maxDistance)),
        ]))
        return 0
    }

    static func boxText(_ face: FaceDescription) -> String {
        let b = face.box
        return JSONText.array([b.left, b.top, b.right, b.bottom].map { String($0) } + [JSONText.number(face.confidence ?? 0)])
    }

    /// `part / whole` in percent, one decimal (0 when `whole` is 0).
    static func percent(_ part: Double, of whole: Double) -> Double {
        whole > 0 ? (part / whole * 1000).rounded() / 10 : 0
    }

    static func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }
}
