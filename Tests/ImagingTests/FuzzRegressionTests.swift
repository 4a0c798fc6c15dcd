@testable import Imaging
import Foundation
import Testing

/// Inputs kept from fuzzing the JPEG decode path (`scripts/fuzz.sh jpeg`): past crashes and
/// interesting corpus entries in `Tests/Fixtures/fuzz/jpeg/`. Each must decode, at every scale, to
/// an image of the header's size or to an ``ImageError``.
@Suite("Fuzz regressions: JPEG decoding")
struct ImagingFuzzRegressionTests {
    static let inputs: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: Fixtures.root.appendingPathComponent("fuzz/jpeg").path)) ?? []
        return names.filter { !$0.hasPrefix(".") && $0 != "README.md" }.sorted()
    }()

    @Test("the fuzz inputs are present")
    func present() {
        #expect(Self.inputs.count >= 4, "Tests/Fixtures/fuzz/jpeg has \(Self.inputs.count) inputs")
    }

    @Test("decodes to the header's size or throws ImageError, at every scale", arguments: inputs)
    func decode(name: String) throws {
        let bytes = try Fixtures.bytes("fuzz/jpeg", name)
        let decoder = JPEGDecoder()
        let header: JPEGHeader
        do {
            header = try decoder.header(of: bytes)
        } catch {
            for scale in JPEGScale.allCases {
                #expect(throws: ImageError.self) { try decoder.decode(bytes, scale: scale) }
            }
            return
        }
        for scale in JPEGScale.allCases {
            let image: RGBImage
            do {
                image = try decoder.decode(bytes, scale: scale)
            } catch {
                #expect(!error.message.isEmpty)
                continue
            }
            let d = scale.rawValue
            var w = (header.width + d - 1) / d, h = (header.height + d - 1) / d
            if header.orientation.swapsAxes { swap(&w, &h) }
            #expect(image.width == w && image.height == h, "1/\(d)")
            #expect(image.pixels.count == w * h * 3)
        }
    }
}
