import CJPEGGuard
import Foundation

/// A DCT scaling factor for decoding: libjpeg can decode at 1/2, 1/4 or 1/8 size almost for free.
public enum JPEGScale: Int, Sendable, CaseIterable {
    /// Full size.
    case full = 1
    /// Half width and height (rounded up).
    case half = 2
    /// A quarter of width and height (rounded up).
    case quarter = 4
    /// An eighth of width and height (rounded up).
    case eighth = 8

    /// The least reduction that brings a `width`×`height` image to at most `maxPixels` pixels,
    /// or `.eighth` when none does.
    public static func fitting(width: Int, height: Int, maxPixels: Int) -> JPEGScale {
        for scale in allCases {
            let d = scale.rawValue
            if ((width + d - 1) / d) * ((height + d - 1) / d) <= maxPixels { return scale }
        }
        return .eighth
    }
}

/// What a JPEG's header declares, read without decoding pixels.
public struct JPEGHeader: Sendable, Equatable {
    /// Stored width in pixels.
    public var width: Int
    /// Stored height in pixels.
    public var height: Int
    /// Colour components in the file: 1 grey, 3 YCbCr/RGB, 4 CMYK/YCCK.
    public var components: Int
    /// The EXIF orientation, `.up` when the file has none.
    public var orientation: ImageOrientation
    /// Whether the file is progressive.
    public var isProgressive: Bool
}

/// Decodes JPEG files to ``RGBImage`` with libjpeg-turbo, safely.
///
/// The pixels are exactly those of PIL's `Image.open(f).convert("RGB")` (both use libjpeg's ISLOW
/// DCT and fancy upsampling; greyscale replicated; CMYK converted with PIL's formula), after which
/// the EXIF orientation is applied when ``appliesOrientation`` is set.
///
/// Safety: the header is read first and an image declaring more than ``maxPixels`` pixels is
/// refused before anything proportional to its size is allocated (decompression bombs); libjpeg's
/// own working memory is bounded too. The work of a decode is bounded as well: a progressive file
/// may have at most ``maxScans`` scans and declared pixels × scans at most ``maxDecodeWork`` (a
/// 30 KB file of thousands of empty scans over 8000×8000 pixels would otherwise hold a worker for a
/// minute), and a ``ProcessorBudget`` in force stops a decode once its time is spent; libjpeg's
/// progress monitor checks all three before every row. Each decode takes its share of a
/// process-wide ``DecodeMemoryBudget`` before allocating. libjpeg errors never end the process:
/// they come back as ``ImageError`` values.
public struct JPEGDecoder: Sendable {
    /// The default pixel limit: 64 Mpx (e.g. 8192×8192), more than any phone camera.
    public static let defaultMaxPixels = 64 << 20
    /// The default limit on a file's size: 256 MiB.
    public static let defaultMaxFileBytes = 256 << 20
    /// The default scan limit: 256. Encoders write about 10 scans (libjpeg's progressive script) and
    /// rarely more than 100; libjpeg-turbo suggests a limit of this order (`djpeg -maxscans`).
    public static let defaultMaxScans = 256
    /// The default work limit: 2^31 pixel-scans, e.g. 32 scans of a 64-megapixel image or 256 scans
    /// of an 8-megapixel one (about half a second of decoding, whatever the scans hold).
    public static let defaultMaxDecodeWork = 2 << 30

    /// The largest accepted declared width × height (before scaling).
    public var maxPixels: Int
    /// The largest file ``decode(contentsOf:scale:)`` loads.
    public var maxFileBytes: Int
    /// Whether to apply the EXIF orientation (PIL and face_recognition do not; frs does).
    public var appliesOrientation: Bool
    /// The most scans (start-of-scan segments) a file may have.
    public var maxScans: Int
    /// The most declared pixels × scans read a decode may take.
    public var maxDecodeWork: Int
    /// The memory every decode of the process shares; `nil` for none.
    public var memoryBudget: DecodeMemoryBudget?

    public init(
        maxPixels: Int = JPEGDecoder.defaultMaxPixels,
        maxFileBytes: Int = JPEGDecoder.defaultMaxFileBytes,
        appliesOrientation: Bool = true,
        maxScans: Int = JPEGDecoder.defaultMaxScans,
        maxDecodeWork: Int = JPEGDecoder.defaultMaxDecodeWork,
        memoryBudget: DecodeMemoryBudget? = .shared
    ) {
        self.maxPixels = maxPixels
        self.maxFileBytes = maxFileBytes
        self.appliesOrientation = appliesOrientation
        self.maxScans = maxScans
        self.maxDecodeWork = maxDecodeWork
        self.memoryBudget = memoryBudget
    }

    /// The memory a decode of `declared` pixels to `output` pixels may take: the RGB output and
    /// libjpeg's working memory (``decode(_:path:scale:)`` gives libjpeg exactly this bound).
    public static func decodeMemory(declaredPixels declared: Int, outputPixels output: Int) -> (total: Int, libjpeg: Int) {
        // libjpeg's working memory: at most the whole-image coefficient buffers of a progressive
        // file (2 bytes per coefficient, ≤ 4 components) plus slack for tables and row buffers.
        let libjpeg = declared * 8 + (16 << 20)
        return (output * 3 + libjpeg, libjpeg)
    }

    /// Reads a JPEG's header.
    ///
    /// - Parameters:
    ///   - bytes: the whole file.
    ///   - path: the file name, for error messages.
    /// - Throws: ``ImageError`` with `empty`, `notJPEG` or `corrupt` (no size check here).
    public func header(of bytes: [UInt8], path: String? = nil) throws(ImageError) -> JPEGHeader {
        let raw = try readHeader(bytes, scale: .full, path: path)
        return JPEGHeader(
            width: Int(raw.width), height: Int(raw.height), components: Int(raw.components),
            orientation: ImageOrientation(rawValue: Int(raw.exif_orientation)) ?? .up,
            isProgressive: raw.progressive != 0
        )
    }

    /// Decodes an in-memory JPEG.
    ///
    /// - Parameters:
    ///   - bytes: the whole file.
    ///   - path: the file name, for error messages.
    ///   - scale: a DCT reduction; `.full` gives PIL's pixels.
    /// - Returns: the RGB image, oriented when ``appliesOrientation`` is set.
    /// - Throws: ``ImageError``: `empty`, `notJPEG`, `tooLarge` (declared size over ``maxPixels``),
    ///   `tooManyScans`, `tooMuchWork`, `overBudget` (the ``ProcessorBudget/current`` budget is
    ///   spent), `truncated` or `corrupt`.
    /// - Complexity: O(pixels × scans), at most ``maxDecodeWork``; memory: the output image plus
    ///   libjpeg's buffers, reserved from ``memoryBudget`` for the decode's duration.
    public func decode(_ bytes: [UInt8], path: String? = nil, scale: JPEGScale = .full) throws(ImageError) -> RGBImage {
        let header = try readHeader(bytes, scale: scale, path: path)
        let declared = Int(header.width) * Int(header.height)
        guard declared <= maxPixels else {
            throw ImageError(
                code: .tooLarge,
                message: "the header declares \(header.width)×\(header.height) = \(declared) pixels, more than the limit of \(maxPixels)",
                path: path)
        }
        let outW = Int(header.output_width), outH = Int(header.output_height)
        let memory = Self.decodeMemory(declaredPixels: declared, outputPixels: outW * outH)
        let budget = ProcessorBudget.current
        try budget?.check(path: path)
        let reservation = memoryBudget?.acquire(memory.total)
        defer { reservation?.release() }
        var pixels = [UInt8](repeating: 0, count: outW * outH * 3)
        var gotW: Int32 = 0, gotH: Int32 = 0
        var message = [CChar](repeating: 0, count: 256)
        var limits = frs_jpeg_limits(max_scans: Int32(clamping: maxScans), max_work: Double(maxDecodeWork),
                                     cpu_deadline: budget?.deadline ?? 0)
        let status = bytes.withUnsafeBufferPointer { src in
            pixels.withUnsafeMutableBufferPointer { dst in
                frs_jpeg_decode_rgb(src.baseAddress, src.count, Int32(scale.rawValue), memory.libjpeg, &limits,
                                    dst.baseAddress, dst.count, &gotW, &gotH, &message, message.count)
            }
        }
        switch status {
        case Int32(FRS_JPEG_OK):
            break
        case Int32(FRS_JPEG_TRUNCATED):
            throw ImageError(code: .truncated, message: "the JPEG data ends before the image is complete", path: path)
        case Int32(FRS_JPEG_TOO_SMALL):
            throw ImageError(code: .corrupt, message: "the decoded size differs from the header's", path: path)
        case Int32(FRS_JPEG_TOO_MANY_SCANS):
            throw ImageError(
                code: .tooManyScans,
                message: "\(Self.text(message)), the limit (a progressive JPEG is decoded once per scan); "
                    + "save the image again as a baseline JPEG, e.g. `convert in.jpg -interlace none out.jpg`",
                path: path)
        case Int32(FRS_JPEG_TOO_MUCH_WORK):
            throw ImageError(
                code: .tooMuchWork,
                message: "\(Self.text(message)) (each scan is a pass over the whole image); save the image again "
                    + "as a baseline JPEG, or crop or shrink it to the part showing the face",
                path: path)
        case Int32(FRS_JPEG_OVER_BUDGET):
            throw ImageError(code: .overBudget,
                             message: ProcessorBudget.overBudgetMessage(used: budget?.used, limit: budget?.seconds ?? 0),
                             path: path)
        default:
            throw ImageError(code: .corrupt, message: Self.text(message), path: path)
        }
        guard Int(gotW) == outW, Int(gotH) == outH else {
            throw ImageError(code: .corrupt, message: "the decoded size differs from the header's", path: path)
        }
        let image = RGBImage(width: outW, height: outH, pixels: pixels)
        guard appliesOrientation, let orientation = ImageOrientation(rawValue: Int(header.exif_orientation)) else {
            return image
        }
        return image.oriented(orientation)
    }

    /// Reads and decodes a JPEG file.
    ///
    /// - Parameters:
    ///   - path: the file.
    ///   - scale: a DCT reduction.
    /// - Throws: ``ImageError``: `unreadable` if the file cannot be read or exceeds
    ///   ``maxFileBytes``; otherwise as ``decode(_:path:scale:)``.
    public func decode(contentsOf path: String, scale: JPEGScale = .full) throws(ImageError) -> RGBImage {
        try decode(try readFile(path), path: path, scale: scale)
    }

    /// Reads a file's bytes, refusing files over ``maxFileBytes``.
    func readFile(_ path: String) throws(ImageError) -> [UInt8] {
        let url = URL(fileURLWithPath: path)
        let size: Int
        do {
            let values = try url.resourceValues(forKeys: [.fileSizeKey, .isRegularFileKey])
            guard values.isRegularFile == true else {
                throw ImageError(code: .unreadable, message: "not a regular file", path: path)
            }
            size = values.fileSize ?? 0
        } catch let error as ImageError {
            throw error
        } catch {
            throw ImageError(code: .unreadable, message: "cannot read the file: \(error.localizedDescription)", path: path)
        }
        guard size <= maxFileBytes else {
            throw ImageError(code: .unreadable, message: "the file has \(size) bytes, more than the limit of \(maxFileBytes)", path: path)
        }
        do {
            return [UInt8](try Data(contentsOf: url))
        } catch {
            throw ImageError(code: .unreadable, message: "cannot read the file: \(error.localizedDescription)", path: path)
        }
    }

    private func readHeader(_ bytes: [UInt8], scale: JPEGScale, path: String?) throws(ImageError) -> frs_jpeg_header {
        guard !bytes.isEmpty else { throw ImageError(code: .empty, message: "no data", path: path) }
        guard bytes.count >= 3, bytes[0] == 0xFF, bytes[1] == 0xD8, bytes[2] == 0xFF else {
            throw ImageError(code: .notJPEG, message: "not a JPEG file (\(Self.describeSignature(bytes)))", path: path)
        }
        var header = frs_jpeg_header()
        var message = [CChar](repeating: 0, count: 256)
        let status = bytes.withUnsafeBufferPointer { src in
            frs_jpeg_read_header(src.baseAddress, src.count, Int32(scale.rawValue), &header, &message, message.count)
        }
        switch status {
        case Int32(FRS_JPEG_OK):
            return header
        case Int32(FRS_JPEG_TRUNCATED):
            throw ImageError(code: .truncated, message: "the JPEG data ends inside the header (\(Self.text(message)))", path: path)
        default:
            throw ImageError(code: .corrupt, message: Self.text(message), path: path)
        }
    }

    private static func text(_ message: [CChar]) -> String {
        let bytes = message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return bytes.isEmpty ? "libjpeg error" : String(decoding: bytes, as: UTF8.self)
    }

    /// Why a file starting with `head` (its first few bytes) is not a JPEG file, in words ("not a
    /// JPEG file (looks like a PNG image)"), or `nil` when it starts like one.
    public static func notJPEGReason(_ head: [UInt8]) -> String? {
        guard !head.isEmpty else { return "an empty file" }
        guard head.count >= 3, head[0] == 0xFF, head[1] == 0xD8, head[2] == 0xFF else {
            return "not a JPEG file (\(describeSignature(head)))"
        }
        return nil
    }

    /// A short guess at what the bytes are, for the `notJPEG` message.
    private static func describeSignature(_ bytes: [UInt8]) -> String {
        let signatures: [([UInt8], String)] = [
            ([0x89, 0x50, 0x4E, 0x47], "a PNG image"),
            ([0x47, 0x49, 0x46, 0x38], "a GIF image"),
            ([0x52, 0x49, 0x46, 0x46], "a RIFF/WebP file"),
            ([0x42, 0x4D], "a BMP image"),
            ([0x49, 0x49, 0x2A, 0x00], "a TIFF image"),
            ([0x4D, 0x4D, 0x00, 0x2A], "a TIFF image"),
            ([0x25, 0x50, 0x44, 0x46], "a PDF document"),
        ]
        for (magic, name) in signatures where bytes.starts(with: magic) { return "looks like \(name)" }
        let head = bytes.prefix(4).map { String(format: "%02x", $0) }.joined(separator: " ")
        return "starts with \(head)"
    }
}
