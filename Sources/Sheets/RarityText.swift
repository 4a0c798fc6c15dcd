/// An estimated false positive identification rate in words an examiner reads at a glance:
/// "about 1 in 300 searches of someone not in the gallery returns a stranger this close".
public enum RarityText {
    /// The sentence for a candidate's `estimated_fpir`, or `nil` when it has none.
    ///
    /// `1 / rate` is rounded to two significant figures ("about 1 in 3,400"); a rate of 0 says that
    /// no calibration search came this close; rates of one half or more say "most" or "about half".
    public static func sentence(estimatedFPIR rate: Double?) -> String? {
        guard let rate, rate.isFinite, rate >= 0 else { return nil }
        if rate == 0 {
            return "no calibration search of someone not in the gallery returned a stranger this close"
        }
        if rate >= 0.75 { return "most searches of someone not in the gallery return a stranger this close" }
        if rate >= 0.4 { return "about half the searches of someone not in the gallery return a stranger this close" }
        return "about 1 in \(grouped(roundedOneIn(rate))) searches of someone not in the gallery returns a stranger this close"
    }

    /// The sentence with the rate's one-sided 95 % upper bound, so that a rate measured on few
    /// searches does not read as certainty: "about 1 in 300 searches … this close (up to 1 in 120
    /// at the 95 % upper bound)"; for a rate of 0, that none of the calibration's searches did, and
    /// how often one still might. Without a bound, ``sentence(estimatedFPIR:)``.
    public static func sentence(estimatedFPIR rate: Double?, upper95 upper: Double?) -> String? {
        guard let base = sentence(estimatedFPIR: rate) else { return nil }
        guard let upper, upper.isFinite, upper > 0 else { return base }
        if rate == 0 {
            return "none of the calibration's searches of someone not in the gallery returned a stranger this close, "
                + "which is not proof that none would: up to \(oneIn(upper)) might (95 % upper bound)"
        }
        return base + " (up to \(oneIn(upper)) at the 95 % upper bound)"
    }

    /// "1 in 120" for a rate below 10 %, "35 in 100" above.
    static func oneIn(_ rate: Double) -> String {
        if rate >= 0.1 { return "\(Int((min(rate, 1) * 100).rounded())) in 100" }
        return "1 in \(grouped(roundedOneIn(rate)))"
    }

    /// `1 / rate` to two significant figures.
    static func roundedOneIn(_ rate: Double) -> Int {
        let n = 1 / rate
        guard n >= 10 else { return max(1, Int(n.rounded())) }
        var scale = 1.0
        while n / scale >= 100 { scale *= 10 }
        return Int((n / scale).rounded() * scale)
    }

    /// Thousands separated by commas.
    static func grouped(_ n: Int) -> String {
        let digits = Array(String(n))
        var out = ""
        for (i, d) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(d)
        }
        return out
    }
}
