import Foundation
import SystemCalls

extension SpoolLayout {
    /// Drops a request file (an approval, a review) into `incoming/` the way submitters must: built in
    /// `tmp/`, synced, then renamed without replacing anything, named `<job>-<random>.<kind>`.
    /// - Returns: the file's name.
    /// - Throws: ``SystemCallError``, `EncodingError`.
    func dropRequest<Request: Encodable>(_ request: Request, job: String, kind: String) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let bytes = Array(try encoder.encode(request)) + [0x0a]
        let random = String(UInt64.random(in: 0...UInt64.max) & 0xffff_ffff, radix: 16)
        let name = "\(job)-\(random).\(kind)"
        let temporary = try DurableFile.writeTemporary(bytes, in: tmp, name: name, mode: 0o644)
        do {
            try DurableFile.renameNoReplace(temporary, to: incoming + "/" + name)
        } catch {
            try? DurableFile.remove(temporary)
            throw error
        }
        return name
    }
}
