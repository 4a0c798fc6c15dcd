import Foundation

/// One way the tests make a scratch directory: a new, empty directory under the system's temporary
/// directory, `frs-<purpose>-XXXXXX` (`mkdtemp`, mode 0700; the caller removes it).
public enum TemporaryDirectory {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public static func make(_ purpose: String) throws -> String {
        var template = Array((NSTemporaryDirectory() + "frs-\(purpose)-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw Failure(description: "mkdtemp failed: errno \(errno)")
        }
        return String(cString: made)
    }
}
