/// A dense float32 tensor in NCHW order: `samples × channels × rows × columns`.
///
/// Element `(n, k, r, c)` lives at `values[((n * channels + k) * rows + r) * columns + c]`, the
/// memory order of dlib's `resizable_tensor`. This is a plain value type; the layers in this
/// module take and return tensors, and the hot kernels work on its storage through unsafe
/// pointers.
public struct Tensor: Sendable, Equatable {
    /// Number of samples (N).
    public let samples: Int
    /// Number of channels (K).
    public let channels: Int
    /// Rows per plane (H).
    public let rows: Int
    /// Columns per plane (W).
    public let columns: Int
    /// `samples * channels * rows * columns` values, NCHW.
    public var values: [Float]

    /// A zero tensor of the given shape.
    public init(samples: Int = 1, channels: Int, rows: Int, columns: Int) {
        precondition(samples >= 0 && channels >= 0 && rows >= 0 && columns >= 0, "negative tensor dimension")
        self.samples = samples
        self.channels = channels
        self.rows = rows
        self.columns = columns
        self.values = [Float](repeating: 0, count: samples * channels * rows * columns)
    }

    /// Wraps existing NCHW values.
    /// - Precondition: `values.count == samples * channels * rows * columns`.
    public init(samples: Int = 1, channels: Int, rows: Int, columns: Int, values: [Float]) {
        precondition(samples >= 0 && channels >= 0 && rows >= 0 && columns >= 0, "negative tensor dimension")
        precondition(values.count == samples * channels * rows * columns, "tensor value count does not match its shape")
        self.samples = samples
        self.channels = channels
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    /// Values in one plane (`rows * columns`).
    public var planeSize: Int { rows * columns }
    /// Values in one sample (`channels * rows * columns`).
    public var sampleSize: Int { channels * rows * columns }

    /// The element at sample `n`, channel `k`, row `r`, column `c`.
    public subscript(n: Int, k: Int, r: Int, c: Int) -> Float {
        get { values[((n * channels + k) * rows + r) * columns + c] }
        set { values[((n * channels + k) * rows + r) * columns + c] = newValue }
    }
}
