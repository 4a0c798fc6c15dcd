import Basics
import Foundation
import Results

/// A deterministic stand-in for the face search: one face per image, candidates derived from the
/// image bytes. Bytes starting with "BAD" are not an image; "HUGE" is too large; "FAIL" makes the
/// search fail (an engine fault, not an input error).
public struct FakeSearcher: ProbeSearcher {
    public var galleryVersion: Int64 = 7
    public var modelIDs: [String: String] = ["detector": "fake-detector", "descriptor": "fake-descriptor"]
    /// Which copy of the gallery it says it scans (nil: it does not say).
    public var scanPrecision: String?

    public struct EngineFault: Error { public init() {} }

    public init(scanPrecision: String? = nil) { self.scanPrecision = scanPrecision }

    public func search(imageBytes: [UInt8], maxCandidates: Int, threshold: Double) throws -> [FaceResult] {
        if imageBytes.starts(with: Array("BAD".utf8)) { throw ProbeImageError.notImage("not a JPEG") }
        if imageBytes.starts(with: Array("HUGE".utf8)) { throw ProbeImageError.tooLarge("too many pixels") }
        if imageBytes.starts(with: Array("FAIL".utf8)) { throw EngineFault() }
        let seed = imageBytes.reduce(0) { ($0 &* 31 &+ Int($1)) & 0xffff }
        let count = min(maxCandidates, 3)
        let candidates = (0..<count).map { i in
            FaceResult.Candidate(rank: i + 1, subject: "S-\(seed % 1000 + i)", image: "gallery/\(seed % 1000 + i).jpg",
                                 distance: threshold * Double(i + 1) / Double(count + 1))
        }
        return [FaceResult(box: [seed % 50, seed % 40, seed % 50 + 100, seed % 40 + 100],
                           landmarks: [[1, 2], [3, 4], [5, 6], [7, 8], [9, 10]],
                           quality: .init(ok: true), candidates: candidates)]
    }
}
