import Testing
@testable import Matching

/// Float16 scans (``ScanPrecision/float16``) must return exactly what the double-precision
/// brute-force reference returns, ties and near-ties included.
@Suite struct HalfPrecisionTests {
    @Test(arguments: [1, 17, 250, 2_003])
    func equalsBruteForce(count: Int) throws {
        let reference = Reference.random(count: count, seed: UInt64(count) + 500)
        let gallery = try reference.matrix().converted(to: .float16)
        #expect(gallery.precision == .float16)
        let probes = Reference.probes(13, seed: 78, near: reference)
        for workers in [1, 2] {
            let matcher = Matcher(gallery: gallery, workers: workers)
            for k in [1, 10, 40] {
                for threshold in [nil, 0.0, 0.9, 1.5] as [Double?] {
                    let many = try matcher.search(probes: probes, k: k, threshold: threshold)
                    for (i, probe) in probes.enumerated() {
                        #expect(many[i] == reference.search(probe, k: k, threshold: threshold),
                                "count \(count) workers \(workers) k \(k) probe \(i)")
                    }
                    #expect(try matcher.search(probes[0], k: k, threshold: threshold)
                        == reference.search(probes[0], k: k, threshold: threshold))
                }
            }
        }
    }

    /// Duplicates (all distances tie) and rows one float ulp apart: half precision cannot tell
    /// them apart at all; the re-rank must.
    @Test func tiesAndNearTies() throws {
        let base = Reference.probes(1, seed: 21)[0]
        var rows: [Float] = []
        let count = 120
        for r in 0..<count {
            var row = base
            if r % 4 != 0 {
                var value = row[r % 128]
                for _ in 0..<((r * 7919) % 11) { value = value.nextUp }
                row[r % 128] = value
                row[(r + 5) % 128] += Float(r % 3) * 1e-7
            }
            rows += row
        }
        let reference = Reference(
            dimension: 128, rows: rows, faceIDs: (0..<count).map { Int64($0) }, subjectIDs: (0..<count).map { Int64($0) })
        let matcher = Matcher(gallery: try reference.matrix().converted(to: .float16), workers: 2)
        var probe = base
        probe[0] += 1e-3
        for k in [1, 4, 20, 60] {
            #expect(try matcher.search(probe, k: k) == reference.search(probe, k: k, threshold: nil))
            let both = try matcher.search(probes: [probe, base], k: k)
            #expect(both[0] == reference.search(probe, k: k, threshold: nil))
            #expect(both[1] == reference.search(base, k: k, threshold: nil))
        }
    }

    /// A gallery built so that half-precision rounding makes 40 decoys look nearer than the true
    /// nearest row (more decoys than the short list holds). With the proven bound the answer is
    /// exact; with the quantization bound zeroed the true nearest row is lost — so a bound that is
    /// too small cannot go unnoticed.
    @Test func aTooSmallBoundIsCaught() throws {
        let dim = 128
        var probe = [Float](repeating: 0, count: dim)
        probe[0] = 0.5
        var rows: [Float] = []
        // Filler rows far away.
        var rng = RandomDescriptors(seed: 99)
        let filler = rng.unitVectors(count: 200, dimension: dim)
        // The target: exactly representable in half, squared distance 0.0625.
        var target = [Float](repeating: 0, count: dim)
        target[0] = 0.5
        target[1] = 0.25
        // Decoys: coordinate 0 at 0.5 + 0.75 ulp(half) rounds up by 2⁻¹³, which lowers their
        // half-precision distance by 2⁻¹³; their true squared distance is 0.0625 + (i+1) 2⁻²⁰.
        var decoys: [[Float]] = []
        let x0 = Float(0.5) + 3 * 0x1p-13
        for i in 0..<40 {
            var d = [Float](repeating: 0, count: dim)
            d[0] = x0
            let dx = Double(x0) - 0.5
            let want = 0.0625 + Double(i + 1) * 0x1p-20
            d[2] = Float((want - dx * dx).squareRoot())
            decoys.append(d)
        }
        var order: [[Float]] = []
        for i in 0..<100 { order.append(Array(filler[(i * dim)..<((i + 1) * dim)])) }
        order += decoys
        order.append(target)
        for i in 100..<200 { order.append(Array(filler[(i * dim)..<((i + 1) * dim)])) }
        for row in order { rows += row }
        let n = order.count
        let reference = Reference(
            dimension: dim, rows: rows, faceIDs: (0..<n).map { Int64($0) }, subjectIDs: (0..<n).map { Int64($0) })
        let expected = reference.search(probe, k: 1, threshold: nil)
        #expect(expected.first?.row == 140)  // the target, after 100 fillers and 40 decoys

        var matcher = Matcher(gallery: try reference.matrix().converted(to: .float16), workers: 2)
        #expect(matcher.gallery.scan.quantizationError > 0)
        #expect(try matcher.search(probe, k: 1) == expected)
        #expect(try matcher.search(probes: [probe, probe], k: 1)[1] == expected)
        matcher.quantizationBoundScale = 0
        #expect(try matcher.search(probe, k: 1) != expected)
        #expect(try matcher.search(probes: [probe, probe], k: 1)[1] != expected)
        // The float32 scan needs no quantization bound.
        #expect(try Matcher(gallery: try reference.matrix(), workers: 2).search(probe, k: 1) == expected)
    }

    /// Values beyond half precision's range (scaled by a power of two) and tiny values (half
    /// subnormals) stay exact.
    @Test func largeAndTinyValues() throws {
        for factor in [Float(4e5), 1e-6] {
            var reference = Reference.random(count: 300, seed: 7)
            reference.rows = reference.rows.map { $0 * factor }
            let gallery = try reference.matrix().converted(to: .float16)
            if factor > 1 { #expect((gallery.scan as! HalfPanels).scaleExponent > 0) }
            let matcher = Matcher(gallery: gallery, workers: 2)
            let probes = Reference.probes(7, seed: 8, near: reference)
            for k in [1, 10] {
                let many = try matcher.search(probes: probes, k: k)
                for (i, probe) in probes.enumerated() {
                    #expect(many[i] == reference.search(probe, k: k, threshold: nil), "factor \(factor) probe \(i)")
                }
            }
        }
    }

    @Test func mediumGallery() throws {
        let reference = Reference.random(count: 60_000, seed: 73)
        let matcher = Matcher(gallery: try reference.matrix(precision: .float16), workers: 2)
        let probes = Reference.probes(8, seed: 74, near: reference)
        let results = try matcher.search(probes: probes, k: 10, threshold: 1.2)
        for (i, probe) in probes.enumerated() {
            #expect(results[i] == reference.search(probe, k: 10, threshold: 1.2))
        }
        #expect(try matcher.search(probes[0], k: 10) == reference.search(probes[0], k: 10, threshold: nil))
    }
}
