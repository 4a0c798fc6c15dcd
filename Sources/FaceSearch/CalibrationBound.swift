import Foundation

/// One-sided 95 % upper confidence bounds on a rate measured as `events` of `trials`
/// (an FPIR measured by non-mated searches).
///
/// With at least one event the bound is the exact binomial (Clopper–Pearson) one: the rate `p`
/// at which seeing `events` or fewer has probability 5 %, `P(X ≤ events | trials, p) = 0.05`,
/// i.e. the 0.95 quantile of Beta(events + 1, trials − events). With no event it is the rule of
/// three, `3 / trials` (the exact bound is `1 − 0.05^(1/trials)`, slightly smaller).
///
/// The bound treats the searches as independent trials; several photos of one person are not
/// quite independent, so read it as a guide rather than a guarantee.
public enum CalibrationBound {
    /// The one-sided 95 % upper bound on the rate (1 when there are no trials).
    /// - Complexity: O(√trials) per evaluation of the incomplete beta, 200 bisection steps.
    public static func upper95(events: Int, trials: Int) -> Double {
        guard trials > 0 else { return 1 }
        let x = min(max(events, 0), trials)
        if x == 0 { return min(1, 3 / Double(trials)) }
        if x == trials { return 1 }
        // P(X ≤ x | n, p) = 1 − I_p(x + 1, n − x), decreasing in p: find where it is 0.05.
        let a = Double(x + 1), b = Double(trials - x)
        var low = Double(x) / Double(trials), high = 1.0
        for _ in 0..<200 {
            let mid = (low + high) / 2
            if 1 - regularizedBeta(mid, a, b) > 0.05 { low = mid } else { high = mid }
            if high - low < 1e-12 { break }
        }
        return high
    }

    /// The regularized incomplete beta function `I_x(a, b)` (continued fraction, modified Lentz).
    static func regularizedBeta(_ x: Double, _ a: Double, _ b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let front = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x)
        if x < (a + 1) / (a + b + 2) {
            return exp(front) * continuedFraction(a, b, x) / a
        }
        return 1 - exp(front) * continuedFraction(b, a, 1 - x) / b
    }

    private static func continuedFraction(_ a: Double, _ b: Double, _ x: Double) -> Double {
        let tiny = 1e-300
        let qab = a + b, qap = a + 1, qam = a - 1
        var c = 1.0
        var d = 1 - qab * x / qap
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for step in 1...100_000 {
            let m = Double(step), m2 = 2 * m
            var aa = m * (b - m) * x / ((qam + m2) * (a + m2))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-15 { break }
        }
        return h
    }
}
