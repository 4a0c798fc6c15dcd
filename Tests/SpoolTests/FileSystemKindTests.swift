import Foundation
import SystemCalls
import Testing

/// Several daemons on several hosts: a spool on a network filesystem is refused.
@Suite struct FileSystemKindTests {
    @Test("network and cluster filesystems are recognized by their statfs magic", arguments: [
        (UInt32(0x6969), "nfs"), (0x517B, "smb"), (0xFF53_4D42, "cifs"), (0xFE53_4D42, "smb2"),
        (0x6573_5546, "fuse"), (0x00C3_6400, "ceph"), (0x5346_414F, "afs"), (0x0102_1997, "9p"),
        (0x7375_7245, "coda"), (0x0BD0_0BD0, "lustre"), (0x0116_1970, "gfs2"),
    ])
    func network(magic: UInt32, name: String) {
        let kind = FileSystemKind.classify(magic: magic)
        #expect(kind.isNetwork)
        #expect(kind.name == name)
    }

    @Test("local filesystems are accepted", arguments: [UInt32(0xEF53), 0x5846_5342, 0x9123_683E, 0x0102_1994, 0x794C_7630, 0x1234_5678])
    func local(magic: UInt32) {
        #expect(!FileSystemKind.classify(magic: magic).isNetwork)
    }

    @Test func aLocalTemporaryDirectoryIsAcceptedAndAMissingOneIsAnError() throws {
        let dir = NSTemporaryDirectory() + "frs-fs-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(!(try FileSystemKind.of(dir)).isNetwork)
        try FileSystemKind.requireLocal(dir, what: "spool directory")
        #expect(throws: SystemCallError.self) { try FileSystemKind.requireLocal(dir + "/missing", what: "spool directory") }
    }

    @Test func theRefusalNamesThePathAndTheFilesystem() {
        let error = NetworkFileSystemError(path: "/mnt/nfs/spool", what: "spool directory", kind: FileSystemKind.classify(magic: 0x6969))
        #expect(error.description.contains("/mnt/nfs/spool"))
        #expect(error.description.contains("nfs (statfs magic 0x6969)"))
        #expect(error.description.contains("one host"))
    }
}
