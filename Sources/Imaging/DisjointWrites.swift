/// A buffer address handed to `DispatchQueue.concurrentPerform` workers.
///
/// Raw pointers are not `Sendable`. Wrapping one is sound here because every use follows the same
/// discipline: the buffer outlives the parallel region (it is borrowed with
/// `withUnsafe…BufferPointer` around it), workers only read the shared input, and each worker
/// writes a disjoint range of the output (its own rows).
struct DisjointWrites<Element>: @unchecked Sendable {
    let base: UnsafeMutablePointer<Element>
}
