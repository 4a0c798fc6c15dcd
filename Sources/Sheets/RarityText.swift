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
