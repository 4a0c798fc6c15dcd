import Basics
import Dispatch
import Foundation
import Glibc
import Results
import Synchronization

/// What the spool's tests and their child processes (`frs-test-child`) share: a deterministic
/// searcher, searchers that kill their process, a log sink that reports a signal, and the tests'
/// fixed clock.

/// The tests' clock: a fixed noon, so training and termination rules do not drift.
public enum TestClock {
    public static let now = UTCDay.parse("2026-06-01")!.addingTimeInterval(12 * 3600)
}

/// A deterministic stand-in for the face search: one face per image, candidates derived from the
/// image bytes. Bytes starting with "BAD" are not an image; "HUGE" is too large; "FAIL" makes the
/// search fail (an engine fault, not an input error).
public struct FakeSearcher: ProbeSearcher {
    public var galleryVersion: Int64 = 7
    public var modelIDs: [String: String] = ["detector": "fake-detector", "descriptor": "fake-descriptor"]

    public struct EngineFault: Error { public init() {} }

    public init() {}

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


/// A searcher that SIGKILLs its own process at the `killAt`-th search (counting from 1).
public final class KillingSearcher: ProbeSearcher {
    let killAt: Int
    let count = Mutex<Int>(0)
    public init(killAt: Int) { self.killAt = killAt }
    public var galleryVersion: Int64 { 1 }
    public var modelIDs: [String: String] { [:] }
    public func search(imageBytes: [UInt8], maxCandidates: Int, threshold: Double) throws -> [FaceResult] {
        if count.withLock({ $0 += 1; return $0 }) == killAt { kill(getpid(), SIGKILL) }
        return try FakeSearcher().search(imageBytes: imageBytes, maxCandidates: maxCandidates, threshold: threshold)
    }
}

/// Signals a semaphore when the daemon logs that a signal arrived.
public final class SignalLogSink: LogSink {
    public let signalled = DispatchSemaphore(value: 0)
    public init() {}
    public func write(_ line: String) {
        if line.contains("signal received") { signalled.signal() }
    }
}

/// The child-process program the tests run (`frs-test-child`), next to the test bundle.
public enum TestChild {
    public static var path: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("frs-test-child").path
    }
}
