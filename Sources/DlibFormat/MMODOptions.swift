/// The options of dlib's `loss_mmod_` layer that inference uses: the detection window and the
/// overlap tests for non-maximum suppression (DLIB-FORMAT.md §2.3, §5.4).
public struct MMODOptions: Sendable, Equatable {
    /// A sliding-window shape the detector was trained for.
    public struct DetectorWindow: Sendable, Equatable {
        public var width: Int
        public var height: Int
        public var label: String
    }

    /// dlib's `test_box_overlap`: boxes overlap when `intersection / area(bbox of both)` exceeds
    /// `iouThreshold`, or the intersection covers more than `percentCoveredThreshold` of either box.
    public struct OverlapTest: Sendable, Equatable {
        public var iouThreshold: Double
        public var percentCoveredThreshold: Double
    }

    /// Serialization version of the options (1 in the shipped file).
    public var version: Int
    /// Detection windows (one 80 × 80 window in the shipped file).
    public var detectorWindows: [DetectorWindow]
    public var lossPerFalseAlarm: Double
    public var lossPerMissedTarget: Double
    public var truthMatchIOUThreshold: Double
    /// The test NMS uses to drop a detection overlapping a better one.
    public var overlapsNMS: OverlapTest
    public var overlapsIgnore: OverlapTest
    /// Whether the network's input is an image pyramid (implied true before version 3).
    public var assumeImagePyramid: Bool
    /// Bounding-box regression (absent before version 4, hence off).
    public var useBoundingBoxRegression: Bool
    public var boundingBoxRegressionLambda: Double
}
