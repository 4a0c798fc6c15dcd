import CJPEGGuard

/// Encodes ``RGBImage`` values as baseline JPEG files in memory with libjpeg-turbo, safely.
///
/// Used for the small face crops embedded in the examiner's sheet. libjpeg errors never end the
/// process (they come back through the `CJPEGGuard` shim as ``JPEGEncodingError``).
public struct JPEGEncoder: Sendable {
    /// libjpeg's quality setting, 1...100.
    public var quality: Int

    /// - Parameter quality: libjpeg's quality, clamped to 1...100 (default 85).
    public init(quality: Int = 85) {
        self.quality = min(max(quality, 1), 100)
    }

    /// Encodes `image`.
    ///
    /// - Parameter image: a non-empty image.
    /// - Returns: the JPEG file's bytes.
    /// - Throws: ``JPEGEncodingError`` for an empty image or when libjpeg fails.
    /// - Complexity: O(pixels).
    public func encode(_ image: RGBImage) throws(JPEGEncodingError) -> [UInt8] {
        guard image.width > 0, image.height > 0 else {
            throw JPEGEncodingError(message: "cannot encode an empty \(image.width)×\(image.height) image")
        }
        var output: UnsafeMutablePointer<UInt8>?
        var length = 0
        var message = [CChar](repeating: 0, count: 256)
        let status = image.pixels.withUnsafeBufferPointer { pixels in
            frs_jpeg_encode_rgb(pixels.baseAddress, Int32(image.width), Int32(image.height), Int32(quality),
                                &output, &length, &message, message.count)
        }
        guard status == Int32(FRS_JPEG_OK), let output else {
            let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw JPEGEncodingError(message: text.isEmpty ? "libjpeg failed to encode the image" : text)
        }
        defer { frs_jpeg_free(output) }
        return Array(UnsafeBufferPointer(start: output, count: length))
    }
}

/// Why an image could not be encoded as JPEG.
public struct JPEGEncodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong (libjpeg's message, or the size problem).
    public var message: String

    public init(message: String) { self.message = message }

    public var description: String { "JPEG encoding failed: \(message)" }
}
