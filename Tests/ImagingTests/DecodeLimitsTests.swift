import CJPEGGuard
import TestSupport
import Foundation
@testable import Imaging
import Testing

@Suite("JPEG decode limits")
struct DecodeLimitsTests {
    /// A decoder with no shared memory budget, so these tests never wait on one another.
    static let decoder = JPEGDecoder(memoryBudget: nil)

    func code(_ body: () throws(ImageError) -> RGBImage) -> ImageError.Code? {
        do {
            _ = try body()
            return nil
        } catch {
            return error.code
        }
    }

    @Test("a progressive JPEG of thousands of empty scans is refused at the first scan over the limit")
    func scanBomb() throws {
        let bomb = ScanBomb.jpeg(width: 256, height: 256, scans: 3000)
        #expect(bomb.count < 31_000)
        do {
            _ = try Self.decoder.decode(bomb)
            Issue.record("a 3000-scan file was decoded")
        } catch {
            #expect(error.code == .tooManyScans)
            #expect(error.message.contains("more than 256 scans"), "\(error.message)")
            #expect(error.message.contains("baseline"), "the message says what would fix it: \(error.message)")
        }
        // The limit is the decoder's: one scan fewer than it is decoded.
        let strict = JPEGDecoder(maxScans: 10, memoryBudget: nil)
        #expect(code { () throws(ImageError) in try strict.decode(ScanBomb.jpeg(width: 64, height: 64, scans: 10)) } == nil)
        #expect(code { () throws(ImageError) in try strict.decode(ScanBomb.jpeg(width: 64, height: 64, scans: 11)) } == .tooManyScans)
    }

    @Test("pixels × scans beyond the work limit are refused, however few scans that is")
    func decodeWork() throws {
        // 4096×4096 × 200 scans = 3.4 G pixel-scans: under the scan limit, over the work limit.
        let bomb = ScanBomb.jpeg(width: 4096, height: 4096, scans: 200)
        #expect(code { () throws(ImageError) in try Self.decoder.decode(bomb) } == .tooMuchWork)
        let small = JPEGDecoder(maxDecodeWork: 64 * 64 * 4, memoryBudget: nil)
        #expect(code { () throws(ImageError) in try small.decode(ScanBomb.jpeg(width: 64, height: 64, scans: 4)) } == nil)
        #expect(code { () throws(ImageError) in try small.decode(ScanBomb.jpeg(width: 64, height: 64, scans: 5)) } == .tooMuchWork)
    }

    @Test("ordinary progressive and baseline photos are within every limit")
    func ordinaryFiles() throws {
        for name in ["progressive.jpg", "obama.jpg", "cmyk.jpg", "gray.jpg"] {
            let image = try Self.decoder.decode(contentsOf: FixtureFiles.fixtures + "/images/" + name)
            #expect(image.width > 0)
        }
    }

    @Test("a spent processor budget stops a decode, in Swift before it starts and in libjpeg between rows")
    func processorBudget() throws {
        let bytes = ScanBomb.jpeg(width: 512, height: 512, scans: 100)
        // The budget in force on this thread, already spent.
        let spent = ProcessorBudget(seconds: 0)
        var sink = 0.0
        while spent.used <= 0 { sink += sin(sink + 1) }  // spend some processor time
        #expect(spent.run { code { () throws(ImageError) in try Self.decoder.decode(bytes) } } == .overBudget)
        // No budget outside `run`.
        #expect(ProcessorBudget.current == nil)
        #expect(code { () throws(ImageError) in try Self.decoder.decode(bytes) } == nil)
        // libjpeg's progress monitor: a deadline already passed stops the decode at its first row.
        var limits = frs_jpeg_limits(max_scans: 0, max_work: 0, cpu_deadline: 1e-9)
        var pixels = [UInt8](repeating: 0, count: 512 * 512 * 3)
        var w: Int32 = 0, h: Int32 = 0
        var message = [CChar](repeating: 0, count: 256)
        let status = bytes.withUnsafeBufferPointer { src in
            pixels.withUnsafeMutableBufferPointer { dst in
                frs_jpeg_decode_rgb(src.baseAddress, src.count, 1, 0, &limits, dst.baseAddress, dst.count, &w, &h,
                                    &message, message.count)
            }
        }
        #expect(status == Int32(FRS_JPEG_OVER_BUDGET))
        #expect(ProcessorBudget.overBudgetMessage(used: 61, limit: 60).contains("max_probe_cpu_seconds (60 s)"))
    }

    @Test("a memory budget is shared: a reservation waits while others hold too much")
    func memoryBudget() {
        let budget = DecodeMemoryBudget(bytes: 1000)
        let a = budget.acquire(700)
        #expect(budget.tryAcquire(400) == nil)
        let b = budget.tryAcquire(300)
        #expect(b != nil && budget.reserved == 1000)
        a.release()
        a.release()  // a second release gives nothing back twice
        #expect(budget.reserved == 300)
        // More than the whole budget is clamped to it: it runs alone.
        #expect(budget.tryAcquire(5000) == nil)
        b?.release()
        let whole = budget.acquire(5000)
        #expect(whole.bytes == 1000 && budget.reserved == 1000)
        whole.release()
        #expect(budget.reserved == 0 && budget.peak == 1000)
    }

    @Test("decodes on many threads never hold more than the memory budget together")
    func memoryBudgetAcrossThreads() throws {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: FixtureFiles.fixtures + "/images/obama.jpg")))
        let need = JPEGDecoder.decodeMemory(declaredPixels: 910 * 1137, outputPixels: 910 * 1137).total
        let budget = DecodeMemoryBudget(bytes: need * 2 + need / 2)  // room for two decodes at a time
        let decoder = JPEGDecoder(memoryBudget: budget)
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            _ = try? decoder.decode(bytes)
        }
        #expect(budget.peak <= budget.capacity)
        #expect(budget.peak >= need)
        #expect(budget.reserved == 0)
    }
}
