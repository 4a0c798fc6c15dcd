import Basics
import FaceEngine

/// The summary line of ``FacesBenchmark``: totals of the images' best runs, and per detector stage
/// (the pyramid, then each convolution) the seconds, GFLOP/s and percent of the FMA peak; the
/// descriptor network's GFLOP/s (one chip at a time on every core); and the FMA peak (10
/// independent SIMD8 accumulators on every core).
///
/// The peak is measured right before and right after every detection, and each run is compared
/// with the higher of its two: on a virtual machine whose cores come and go (two vCPUs on one
/// physical core, then on two) a peak measured once is no ceiling for a stage run seconds later.
/// `"fma_peak_gflops_adjacent"`: those peaks, weighted by the best runs' time (what the percentages
/// divide by); `"fma_peak_gflops"`: the highest measured; `"fma_peak_gflops_1_thread"`: one thread's,
/// measured once. The same per second of the process's processor time, steadier on a machine
/// others are loading: `"cpu_seconds"` and `"percent_of_peak_per_cpu_second"` per stage,
/// `"detector_convolutions_percent_of_peak_per_cpu_second"`, against `"fma_peak_gflops_per_cpu_second"`
/// (the higher of the peaks measured first and last).
struct FacesSummary {
    /// The highest FMA peak measured on every core (FLOP/s).
    var peak: Double
    /// One thread's FMA peak (FLOP/s).
    var peakOneThread: Double
    /// The FMA peak per processor-second on every core (FLOP per CPU second).
    var cpuPeak: Double
    var decode = 0.0, detect = 0.0, describe = 0.0, faces = 0
    /// Per stage, summed over the images (stage by stage in the first image's order).
    var stages: [FaceDetector.StageTiming] = []
    /// Per stage: Σ seconds × the peak adjacent to the run (the FLOP the peak would have done).
    var stagePeakFlops: [Double] = []
    /// Σ detection seconds × the peak adjacent to the run.
    var detectPeakFlops = 0.0
    /// The chips described alone, and their seconds.
    var chips = 0, chipSeconds = 0.0

    init(peak: Double, peakOneThread: Double, cpuPeak: Double) {
        self.peak = peak
        self.peakOneThread = peakOneThread
        self.cpuPeak = cpuPeak
    }

    /// Adds one image's best runs.
    mutating func add(_ image: FacesBenchmark.ImageProfile) {
        peak = max(peak, image.highestPeak)
        decode += image.decode
        detect += image.detect
        describe += image.describe
        faces += image.faces
        if image.chip.isFinite {
            chipSeconds += image.chip
            chips += 1
        }
        if stages.isEmpty {
            stages = image.stages
            stagePeakFlops = image.stages.map { $0.seconds * image.stagesPeak }
        } else {
            for i in stages.indices where i < image.stages.count {
                stages[i].seconds += image.stages[i].seconds
                stages[i].flops += image.stages[i].flops
                stages[i].cpuSeconds += image.stages[i].cpuSeconds
                stagePeakFlops[i] += image.stages[i].seconds * image.stagesPeak
            }
        }
        detectPeakFlops += image.detect * image.stagesPeak
    }

    /// The peak the percentages divide by: the adjacent peaks weighted by detection time.
    var adjacentPeak: Double { detect > 0 ? detectPeakFlops / detect : peak }

    /// One stage's object: seconds, GFLOP, GFLOP/s and percent of the adjacent peaks.
    func stageJSON(_ stage: FaceDetector.StageTiming, peakFlops: Double) -> String {
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

    /// `part / whole` in percent, one decimal (0 when `whole` is 0).
    static func percent(_ part: Double, of whole: Double) -> Double {
        whole > 0 ? (part / whole * 1000).rounded() / 10 : 0
    }

    /// The summary line.
    func jsonLine(images: Int, descriptorFlopsPerChip: Double, modelLoadSeconds: Double) -> String {
        let stageFields = zip(stages, stagePeakFlops).map { stageJSON($0, peakFlops: $1) }
        let convolution = zip(stages, stagePeakFlops).filter { $0.0.flops > 0 }
        let convSeconds = convolution.reduce(0) { $0 + $1.0.seconds }, convFlops = convolution.reduce(0) { $0 + $1.0.flops }
        let convPeakFlops = convolution.reduce(0) { $0 + $1.1 }
        let descriptorGflops = chips > 0 ? descriptorFlopsPerChip * Double(chips) / chipSeconds / 1e9 : 0
        return JSONText.object([
            ("images", String(images)), ("faces", String(faces)),
            ("fma_peak_gflops", JSONText.number((peak / 1e8).rounded() / 10)),
            ("fma_peak_gflops_adjacent", JSONText.number((adjacentPeak / 1e8).rounded() / 10)),
            ("fma_peak_gflops_1_thread", JSONText.number((peakOneThread / 1e8).rounded() / 10)),
            ("stages", JSONText.array(stageFields)),
            ("detector_convolutions_gflops", JSONText.number(convSeconds > 0 ? (convFlops / convSeconds / 1e8).rounded() / 10 : 0)),
            ("detector_convolutions_percent_of_peak",
             JSONText.number(convPeakFlops > 0 ? (convFlops / convPeakFlops * 1000).rounded() / 10 : 0)),
            ("fma_peak_gflops_per_cpu_second", JSONText.number((cpuPeak / 1e8).rounded() / 10)),
            ("detector_convolutions_percent_of_peak_per_cpu_second",
             JSONText.number(Self.percent(convFlops, of: convolution.reduce(0) { $0 + $1.0.cpuSeconds } * cpuPeak))),
            ("descriptor_gflops", JSONText.number((descriptorGflops * 10).rounded() / 10)),
            ("descriptor_percent_of_peak", JSONText.number((descriptorGflops * 1e9 / adjacentPeak * 1000).rounded() / 10)),
            ("model_load_seconds", JSONText.number(modelLoadSeconds)),
            ("decode_seconds", JSONText.number(decode)), ("detect_seconds", JSONText.number(detect)),
            ("describe_seconds", JSONText.number(describe)),
            ("describe_seconds_per_face", JSONText.number(faces > 0 ? describe / Double(faces) : 0)),
        ])
    }
}
