@testable import Commands
import Foundation
import Testing

@Suite("frs gallery calibrate, bench calibrate, audit report --annual")
struct CalibrationCommandTests {
    static func parse(_ words: [String]) throws -> any Subcommand {
        guard case .command(let command, _) = try FRSCommand.parse(words, environment: [:]) else {
            throw UsageError("not a command")
        }
        return command
    }

    @Test("options are parsed and checked")
    func parsing() throws {
        let calibrate = try #require(try Self.parse(["gallery", "calibrate"]) as? GalleryCalibrateCommand)
        #expect(calibrate.targetFPIR == nil && calibrate.rank == 20 && calibrate.workers == nil)
        let other = try #require(try Self.parse(["gallery", "calibrate", "--target-fpir", "0.001", "--rank", "5"])
                                 as? GalleryCalibrateCommand)
        #expect(other.targetFPIR == 0.001 && other.rank == 5)
        for bad in ["0", "1", "-0.1", "x"] {
            #expect(throws: UsageError.self) { try Self.parse(["gallery", "calibrate", "--target-fpir", bad]) }
        }
        let bench = try #require(try Self.parse(["bench", "calibrate", "--gallery", "1000"]) as? BenchCalibrateCommand)
        #expect(bench.gallery == 1000)
        #expect(throws: UsageError.self) { try Self.parse(["bench", "calibrate"]) }

        let annual = try #require(try Self.parse(["audit", "report", "--annual", "2026", "--format", "html"])
                                  as? AuditReportCommand)
        #expect(annual.year == 2026 && annual.format == .html)
        #expect(throws: UsageError.self) { try Self.parse(["audit", "report", "--annual", "26"]) }
        #expect(throws: UsageError.self) { try Self.parse(["audit", "report", "--annual", "2026", "--from", "2026-02-01"]) }
        #expect(throws: UsageError.self) { try Self.parse(["audit", "report", "--format", "pdf"]) }
    }
}
