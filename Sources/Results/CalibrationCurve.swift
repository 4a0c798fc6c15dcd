/// The measured FPIR curve of a gallery calibration, as the operating threshold and each
/// candidate's estimates read it: per grid threshold, how many of the non-mated searches returned
/// a stranger within it, the rate, and the rate's one-sided 95 % upper confidence bound
/// (Clopper–Pearson; the rule of three at zero). Measured by `FaceSearch.Calibration`.
public struct CalibrationCurve: Sendable, Equatable {
    /// The grid, increasing.
    public var thresholds: [Double]
    /// Per threshold: non-mated searches returning a candidate within it.
    public var falsePositives: [Int]
    /// Non-mated searches made.
    public var nonMatedSearches: Int
    /// Per threshold: `falsePositives / nonMatedSearches`.
    public var fpir: [Double]
    /// Per threshold: the one-sided 95 % upper bound on the FPIR.
    public var fpirUpper95: [Double]

    public init(thresholds: [Double], falsePositives: [Int], nonMatedSearches: Int, fpir: [Double], fpirUpper95: [Double]) {
        self.thresholds = thresholds
        self.falsePositives = falsePositives
        self.nonMatedSearches = nonMatedSearches
        self.fpir = fpir
        self.fpirUpper95 = fpirUpper95
    }

    /// The index of the largest grid threshold whose measured FPIR is at most `target`; `nil` when
    /// even the smallest exceeds it, or nothing was measured.
    public func thresholdIndex(forTarget target: Double) -> Int? {
        guard nonMatedSearches > 0 else { return nil }
        return thresholds.indices.last { fpir[$0] <= target }
    }

    /// FPIR at a candidate's distance `d`: the fraction of non-mated searches that returned a
    /// candidate at distance `≤ d`, interpolated linearly between the grid's thresholds.
    ///
    /// Below the grid the first threshold's FPIR is returned (an upper bound: FPIR only grows
    /// with the distance); beyond the grid `nil` (not measured there).
    public func estimatedFPIR(atDistance d: Double) -> Double? {
        guard let i = bracket(d) else { return nil }
        guard i > 0, thresholds[i] != d else { return fpir[i] }
        let t0 = thresholds[i - 1], t1 = thresholds[i]
        let w = (d - t0) / (t1 - t0)
        return fpir[i - 1] + w * (fpir[i] - fpir[i - 1])
    }

    /// The 95 % upper bound on the FPIR at distance `d`: the bound at the first grid threshold at
    /// or beyond `d` (FPIR only grows with the distance, so this errs on the cautious side);
    /// `nil` beyond the grid.
    public func upper95(atDistance d: Double) -> Double? {
        bracket(d).map { fpirUpper95[$0] }
    }

    /// The non-mated searches counted for `d`'s bound (`falsePositives` at the first grid threshold at or
    /// beyond `d`), of ``nonMatedSearches``; `nil` beyond the grid.
    public func events(atDistance d: Double) -> Int? {
        bracket(d).map { falsePositives[$0] }
    }

    /// The first grid index whose threshold is `≥ d` (within 1e-9); `nil` beyond the grid.
    func bracket(_ d: Double) -> Int? {
        guard d.isFinite, let last = thresholds.last, d <= last + 1e-9 else { return nil }
        return thresholds.firstIndex { $0 >= d - 1e-9 }
    }
}
