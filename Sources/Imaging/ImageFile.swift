import Foundation

/// An image file's bytes, as `frs faces …` and `frs bench faces` read them: the whole file, no size
/// limit (the decoder's budget applies when the bytes are decoded).
public enum ImageFile {
    /// Reads the file at `path`.
    /// - Throws: ``ImageError`` (`.unreadable`) when the file is missing or cannot be read.
    public static func read(_ path: String) throws(ImageError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ImageError(code: .unreadable, message: "cannot read the file", path: path)
        }
        return [UInt8](data)
    }
}
