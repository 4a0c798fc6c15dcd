/// Which copy of the gallery the kernels scan. Results are exact either way.
public enum ScanPrecision: String, Sendable, CaseIterable {
    /// The float32 panels (4 bytes a value).
    case float32 = "f32"
    /// A float16 copy (2 bytes a value), with a proven quantization bound and a float32 re-rank.
    case float16 = "f16"
}
