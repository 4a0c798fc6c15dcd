import FaceSearch
import Foundation
import Hashing
import SystemCalls
import TestSupport
import Testing

@Suite("SHA-256 of a file, through SystemCalls")
struct SHA256FileTests {
    @Test("hexOfFile streams a file larger than one chunk")
    func file() throws {
        let directory = try TemporaryDirectory.make("sha")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/file"
        // 2.5 MiB: two full chunks and a partial one.
        let bytes = (0..<(5 << 19)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 9) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(try SHA256.hexOfFile(atPath: path) == SHA256.hex(bytes))
        #expect(throws: SystemCallError.self) { try SHA256.hexOfFile(atPath: path + ".missing") }
    }
}
