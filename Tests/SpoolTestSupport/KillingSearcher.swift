import Glibc
import Results
import Synchronization

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
