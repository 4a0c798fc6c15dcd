import TestSupport
import Foundation
import Glibc
import SystemCalls
import Testing

@Suite("SystemCalls")
struct SystemCallTests {
    func temporaryDirectory() throws -> String {
        try TemporaryDirectory.make("syscalls")
    }

    @Test func retriesEINTRAndReportsOtherErrors() throws {
        var calls = 0
        let value = try SystemCall.run("fake") { () -> Int32 in
            calls += 1
            if calls < 3 { errno = EINTR; return -1 }
            return 42
        }
        #expect(value == 42)
        #expect(calls == 3)
        let error = #expect(throws: SystemCallError.self) {
            try SystemCall.run("fake", path: "/x") { () -> Int32 in errno = EACCES; return -1 }
        }
        #expect(error == SystemCallError(call: "fake", errno: EACCES, path: "/x"))
        #expect(error?.description.contains("fake(/x)") == true)
    }

    @Test func directoryDescriptorsNeverFollowASymlink() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let outside = root + "/outside"
        try Directory.create(outside, mode: 0o755)
        try DurableFile.write(Array("keep".utf8), to: outside + "/keep.jpg", via: outside)
        let tree = root + "/tree"
        try Directory.create(tree, mode: 0o755)
        try Directory.create(tree + "/sub", mode: 0o755)
        try DurableFile.write([1], to: tree + "/sub/a.jpg", via: tree + "/sub")
        #expect(symlink(outside, tree + "/link") == 0)
        #expect(symlink(outside, root + "/folder-link") == 0)

        // A symlink in the directory's place is refused; one inside it is listed, stat'ed and removed as itself.
        #expect(throws: SystemCallError.self) { try DirectoryDescriptor.open(root + "/folder-link") }
        let parent = try DirectoryDescriptor.open(root)
        defer { parent.close() }
        #expect(throws: SystemCallError.self) { try parent.openDirectory("folder-link") }
        #expect(throws: SystemCallError.self) { try parent.openFile("tree/sub", flags: O_RDONLY) }
        let directory = try parent.openDirectory("tree")
        #expect(try directory.entries() == ["link", "sub"])
        #expect(try directory.status(of: "link").isSymbolicLink)
        #expect(throws: SystemCallError.self) { try directory.openForReading("link") }
        #expect(throws: SystemCallError.self) { try directory.entries(limit: 1) }
        #expect(directory.removeContents() == 3)  // link, sub/a.jpg, sub
        directory.close()
        try parent.removeDirectory("tree")
        #expect(try DurableFile.read(outside + "/keep.jpg") == Array("keep".utf8))
        #expect(!FileStatus.exists(tree))
    }

    @Test func durableWriteCreatesTheWholeFileWithItsModeAndLeavesNoTemporary() throws {
        let dir = try temporaryDirectory()
        try Directory.create(dir + "/tmp", mode: 0o1733)
        try DurableFile.write(Array("hello\n".utf8), to: dir + "/out.json", via: dir + "/tmp", mode: 0o640)
        #expect(try DurableFile.read(dir + "/out.json") == Array("hello\n".utf8))
        #expect(try FileStatus.of(dir + "/out.json").permissions == 0o640)
        #expect(try Directory.entries(dir + "/tmp").isEmpty)
        // Replacing is atomic too.
        try DurableFile.write(Array("again".utf8), to: dir + "/out.json", via: dir + "/tmp")
        #expect(try DurableFile.read(dir + "/out.json") == Array("again".utf8))
        #expect(try FileStatus.of(dir + "/tmp").permissions == 0o1733)
    }

    @Test func renameOfAMissingFileIsENOENT() throws {
        let dir = try temporaryDirectory()
        let error = #expect(throws: SystemCallError.self) {
            try DurableFile.rename(dir + "/missing", to: dir + "/other")
        }
        #expect(error?.errno == ENOENT)
        #expect(error?.call == "rename")
    }

    @Test func openNoFollowRefusesSymlinksAndFstatSeesOwnerAndLinks() throws {
        let dir = try temporaryDirectory()
        try DurableFile.write(Array("x".utf8), to: dir + "/file", via: dir)
        #expect(symlink(dir + "/file", dir + "/link") == 0)
        let error = #expect(throws: SystemCallError.self) { try FileDescriptor.openNoFollow(dir + "/link") }
        #expect(error?.errno == ELOOP)
        #expect(try FileStatus.of(dir + "/link").isSymbolicLink)
        // Another owner where this process may give the file away (root); its own uid otherwise.
        let owner: UInt32 = Privileges.isRoot ? 4321 : getuid()
        if Privileges.isRoot { #expect(chown(dir + "/file", owner, owner) == 0) }
        #expect(link(dir + "/file", dir + "/hard") == 0)
        let fd = try FileDescriptor.openNoFollow(dir + "/file")
        defer { fd.closeIgnoringErrors() }
        let status = try fd.status()
        #expect(status.owner == owner)
        #expect(status.linkCount == 2)
        #expect(status.isRegularFile)
        #expect(try fd.readAll() == Array("x".utf8))
    }

    @Test func readAllStopsAtItsLimit() throws {
        let dir = try temporaryDirectory()
        try DurableFile.write([UInt8](repeating: 7, count: 1000), to: dir + "/big", via: dir)
        let error = #expect(throws: SystemCallError.self) { try DurableFile.read(dir + "/big", limit: 999) }
        #expect(error?.errno == EFBIG)
        #expect(try DurableFile.read(dir + "/big", limit: 1000).count == 1000)
    }

    @Test func flockExcludesASecondHolderUntilReleased() throws {
        let dir = try temporaryDirectory()
        let lock = FileLock(path: dir + "/lock")
        let inner = try lock.withLock(.exclusive) {
            try lock.withLockIfAvailable(.exclusive) { true }
        }
        #expect(inner == nil)
        let sharedTwice = try lock.withLock(.shared) { try lock.withLockIfAvailable(.shared) { true } }
        #expect(sharedTwice == true)
        #expect(try lock.withLockIfAvailable(.exclusive) { 1 } == 1)
    }

    @Test func listsDirectoriesSortedAndCreatesThemIdempotently() throws {
        let dir = try temporaryDirectory()
        for name in ["b", "a", "c"] { try DurableFile.write([], to: dir + "/" + name, via: dir) }
        #expect(try Directory.entries(dir) == ["a", "b", "c"])
        try Directory.create(dir + "/d", mode: 0o700)
        try Directory.create(dir + "/d", mode: 0o750)
        #expect(try FileStatus.of(dir + "/d").permissions == 0o750)
        let error = #expect(throws: SystemCallError.self) { try Directory.create(dir + "/a", mode: 0o700) }
        #expect(error?.errno == EEXIST)
        #expect(throws: SystemCallError.self) { try Directory.entries(dir + "/missing") }
    }
}

@Suite("SystemCalls: rename without replacing")
struct RenameNoReplaceTests {
    @Test func refusesToReplaceAnExistingFile() throws {
        var template = Array("/tmp/frs-syscalls-XXXXXX".utf8CString)
        let dir = String(cString: mkdtemp(&template)!)
        try DurableFile.write(Array("a".utf8), to: dir + "/a", via: dir)
        try DurableFile.write(Array("b".utf8), to: dir + "/b", via: dir)
        let error = #expect(throws: SystemCallError.self) { try DurableFile.renameNoReplace(dir + "/a", to: dir + "/b") }
        #expect(error?.errno == EEXIST)
        #expect(try DurableFile.read(dir + "/b") == Array("b".utf8))
        try DurableFile.renameNoReplace(dir + "/a", to: dir + "/c")
        #expect(try DurableFile.read(dir + "/c") == Array("a".utf8))
        #expect(!FileStatus.exists(dir + "/a"))
    }

    @Test("an ACL hands a private file to one other account: owner rw, that account r, group and others nothing")
    func accessControlGrantsOneAccount() throws {
        let dir = try TemporaryDirectory.make("acl")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/job.json"
        try DurableFile.write(Array("{}".utf8), to: path, via: dir, mode: 0o600)
        guard try AccessControl.grant(path, to: 4242, permissions: AccessControl.read, ownerPermissions: 6) else {
            Issue.record("this filesystem has no ACLs; frs submit falls back to mode bits here")
            return
        }
        // With an ACL the group bits show the mask: r for the named account, nothing for the group itself.
        // (Without the ACL the file would still be 0600; the kernel derives these bits from the entries.)
        #expect(try FileStatus.of(path).permissions == 0o640)
        // The attribute: a version-2 header and five 8-byte entries, the named account's with its uid.
        let bytes = AccessControl.encode(ownerPermissions: 6, uid: 4242, permissions: 4)
        #expect(bytes.count == 4 + 5 * 8 && bytes[0] == 2 && bytes[12] == 2 && bytes[14] == 4)
        #expect(bytes[16] == 0x92 && bytes[17] == 0x10)  // 4242, little-endian
    }
}
