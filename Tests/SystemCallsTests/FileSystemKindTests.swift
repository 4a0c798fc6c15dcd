import TestSupport
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

    /// The kernel's own list (`linux/magic.h`, from the system's headers when installed): each
    /// network filesystem named there is classified as network, each local one as local — checked
    /// against the kernel's numbers, not against a copy of the table under test.
    @Test("the kernel's magic numbers (linux/magic.h) are classified as the kernel names them")
    func kernelHeader() throws {
        guard let text = try? String(contentsOfFile: "/usr/include/linux/magic.h", encoding: .utf8) else { return }
        var magics: [String: UInt32] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("#define ") {
            let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard parts.count >= 3, parts[2].hasPrefix("0x"), let value = UInt32(parts[2].dropFirst(2), radix: 16) else { continue }
            magics[String(parts[1])] = value
        }
        let network = ["NFS_SUPER_MAGIC", "SMB_SUPER_MAGIC", "CIFS_SUPER_MAGIC", "SMB2_SUPER_MAGIC", "FUSE_SUPER_MAGIC",
                       "CEPH_SUPER_MAGIC", "AFS_SUPER_MAGIC", "V9FS_MAGIC", "CODA_SUPER_MAGIC"]
        let local = ["EXT4_SUPER_MAGIC", "XFS_SUPER_MAGIC", "BTRFS_SUPER_MAGIC", "TMPFS_MAGIC", "OVERLAYFS_SUPER_MAGIC"]
        #expect(network.allSatisfy { magics[$0] != nil }, "linux/magic.h lacks some of \(network)")
        for name in network { if let magic = magics[name] { #expect(FileSystemKind.classify(magic: magic).isNetwork, "\(name)") } }
        for name in local { if let magic = magics[name] { #expect(!FileSystemKind.classify(magic: magic).isNetwork, "\(name)") } }
    }

    @Test("local filesystems are accepted", arguments: [UInt32(0xEF53), 0x5846_5342, 0x9123_683E, 0x0102_1994, 0x794C_7630, 0x1234_5678])
    func local(magic: UInt32) {
        #expect(!FileSystemKind.classify(magic: magic).isNetwork)
    }

    @Test func aLocalTemporaryDirectoryIsAcceptedAndAMissingOneIsAnError() throws {
        let dir = try TemporaryDirectory.make("fs")
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
