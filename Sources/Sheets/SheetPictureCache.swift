import Foundation
import SystemCalls

/// The pictures a job's sheet takes from its probe images — each probe's overview and each face's
/// crop — kept after the first render, so the sheet rendered again after every review, resolution
/// or outcome does not decode the same probe photos again (a 24-megapixel probe costs a second of
/// decoding each time). Gallery crops are not kept: a subject removed from the gallery must leave
/// later sheets.
///
/// One file per job in the daemon's own state directory (`state/sheets/<job>.pictures`, 0600),
/// written atomically; removed with the job's evidence by the retention purge. A file that cannot
/// be read is ignored (the pictures are made again from the probes).
public struct SheetPictureCache: Sendable {
    /// `state/sheets/`.
    public let directory: String

    public init(directory: String) { self.directory = directory }

    /// One kept picture.
    public struct Picture: Codable, Sendable, Equatable {
        public var jpeg: Data
        /// The whole image's size, for an overview.
        public var width: Int?
        public var height: Int?
    }

    /// The file of a job's pictures.
    public func file(job: String) -> String { "\(directory)/\(job).pictures" }

    /// The pictures kept for `job` (empty when none are, or the file cannot be read).
    public func load(job: String) -> [String: Picture] {
        guard let bytes = try? DurableFile.read(file(job: job), limit: 256 << 20) else { return [:] }
        return (try? JSONDecoder().decode([String: Picture].self, from: Data(bytes))) ?? [:]
    }

    /// Keeps `pictures` for `job`, replacing what was kept.
    public func save(_ pictures: [String: Picture], job: String) throws {
        try Directory.create(directory, mode: 0o700)
        try DurableFile.write(Array(try JSONEncoder().encode(pictures)), to: file(job: job), via: directory, mode: 0o600)
    }
}
