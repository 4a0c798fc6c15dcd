import Benchmarks

/// `frs bench faces IMAGE...`: the face engine's speed per stage, for `scripts/bench-faces.py`
/// (``Benchmarks/FacesBenchmark``).
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
        let benchmark = FacesBenchmark(images: images, repeatCount: repeatCount, upsample: upsample, booking: booking, models: context.models)
        return try benchmark.run(context.benchmarkOutput).exitStatus
    }
}
