import Basics
import Dispatch
import FaceEngine
import Foundation
import Imaging

/// The face engine's speed per stage: `frs bench faces` (for `scripts/bench-faces.py`).
///
/// One result line per image: `{"image", "width", "height", "faces", "decode_seconds",
/// "detect_seconds", "describe_seconds"}` (describe = landmarks, chips and descriptors of every
/// face; each the best of ``repeatCount`` runs); then a summary line (``FacesSummary``). Images run
/// one after another, each stage using every core. With ``booking``, the booking-photo pipeline is
/// compared with the full one instead (`FacesBenchmark+Booking.swift`).
public struct FacesBenchmark: Sendable {
    /// JPEG files.
    public var images: [String]
    /// Runs per image; the best time of each stage counts.
    public var repeatCount: Int
    /// Detector upsampling.
    public var upsample: Int
    /// Compare the booking-photo pipeline with the full one instead.
    public var booking: Bool
    /// The model files' directory.
    public var models: String

    public init(images: [String], repeatCount: Int, upsample: Int, booking: Bool, models: String) {
        self.images = images
        self.repeatCount = repeatCount
        self.upsample = upsample
        self.booking = booking
        self.models = models
    }

    /// Loads the models and runs the images; throws on an unreadable or undecodable image.
    public func run(_ output: BenchmarkOutput) throws -> BenchmarkVerdict {
        let loadStart = DispatchTime.now()
        let analyzer = try FaceAnalyzer(modelsDirectory: models)
        let loadSeconds = BenchmarkClock.seconds(since: loadStart)
        if booking { return try runBooking(output, analyzer: analyzer) }
        let threads = ProcessInfo.processInfo.activeProcessorCount
        var summary = FacesSummary(peak: FaceDetector.fmaPeak(threads: threads), peakOneThread: FaceDetector.fmaPeak(threads: 1),
                                   cpuPeak: FaceDetector.fmaPeakPerCPUSecond(threads: threads))
        for path in images {
            let profile = try self.profile(path, analyzer: analyzer, threads: threads)
            summary.add(profile)
            output.result(profile.jsonLine(path))
        }
        summary.peak = max(summary.peak, FaceDetector.fmaPeak(threads: threads))
        summary.cpuPeak = max(summary.cpuPeak, FaceDetector.fmaPeakPerCPUSecond(threads: threads))
        output.result(summary.jsonLine(images: images.count, descriptorFlopsPerChip: analyzer.descriptorNetwork.flopsPerChip,
                                       modelLoadSeconds: loadSeconds))
        return .passed
    }

    /// One image's best runs, stage by stage.
    struct ImageProfile {
        var width = 0, height = 0, faces = 0
        var decode = Double.infinity, detect = Double.infinity, describe = Double.infinity
        /// The detector's stages in the fastest detection, and the FMA peak adjacent to it.
        var stages: [FaceDetector.StageTiming] = [], stagesPeak = 0.0
        /// The fastest description of the first face's chip alone (infinite when no face was found).
        var chip = Double.infinity
        /// The highest FMA peak measured next to any of the runs.
        var highestPeak = 0.0

        /// The image's result line.
        func jsonLine(_ path: String) -> String {
            JSONText.object([
                ("image", JSONText.string(path)), ("width", String(width)), ("height", String(height)),
                ("faces", String(faces)), ("decode_seconds", JSONText.number(decode)),
                ("detect_seconds", JSONText.number(detect)), ("describe_seconds", JSONText.number(describe)),
            ])
        }
    }

    /// Runs one image ``repeatCount`` times: decoding, detection (profiled, with the FMA peak
    /// measured right before and right after it), description of every face, and one chip's
    /// descriptor alone; keeps each stage's best.
    func profile(_ path: String, analyzer: FaceAnalyzer, threads: Int) throws -> ImageProfile {
        let bytes = try ImageFile.read(path)
        var profile = ImageProfile()
        for _ in 0..<repeatCount {
            var t = DispatchTime.now()
            let image = try analyzer.decoder.decode(bytes, path: path)
            profile.decode = min(profile.decode, BenchmarkClock.seconds(since: t))
            let before = FaceDetector.fmaPeak(threads: threads)
            t = DispatchTime.now()
            let (detections, stages) = analyzer.detector.detectProfiled(image, upsample: upsample)
            let detectSeconds = BenchmarkClock.seconds(since: t)
            let adjacent = max(before, FaceDetector.fmaPeak(threads: threads))
            profile.highestPeak = max(profile.highestPeak, adjacent)
            if detectSeconds < profile.detect {
                profile.stages = stages
                profile.stagesPeak = adjacent
            }
            profile.detect = min(profile.detect, detectSeconds)
            t = DispatchTime.now()
            let faces = analyzer.faces(in: image, detections: detections, describe: true)
            profile.describe = min(profile.describe, BenchmarkClock.seconds(since: t))
            profile.faces = faces.count
            if let chip = faces.first?.chip {
                t = DispatchTime.now()
                _ = analyzer.descriptorNetwork.descriptor(chip: chip)
                profile.chip = min(profile.chip, BenchmarkClock.seconds(since: t))
            }
            profile.width = image.width
            profile.height = image.height
        }
        return profile
    }
}
