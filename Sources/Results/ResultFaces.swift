/// The faces of a result, numbered 1, 2, … in the order of the probes and of the faces within
/// each probe: the numbers the examiner's sheet shows and `frs review --face N` takes.
public struct ResultFaces: Sendable {
    /// One face with its number and where it is in the result.
    public struct Numbered: Sendable, Equatable {
        /// 1-based, over the whole job.
        public var number: Int
        /// Index of the probe in the result's probe list.
        public var probeIndex: Int
        /// Index of the face within its probe.
        public var faceIndex: Int
        /// The probe path as the job named it.
        public var probe: String
        /// The face.
        public var face: FaceResult
    }

    /// Every face of the probes, numbered.
    public let faces: [Numbered]

    /// Numbers the faces of `probes`.
    /// - Complexity: O(faces).
    public init(_ probes: [ProbeRecord]) {
        var faces: [Numbered] = []
        for (p, probe) in probes.enumerated() {
            for (f, face) in probe.faces.enumerated() {
                faces.append(Numbered(number: faces.count + 1, probeIndex: p, faceIndex: f, probe: probe.image, face: face))
            }
        }
        self.faces = faces
    }

    /// The face numbered `number`, if there is one.
    public func face(_ number: Int) -> Numbered? {
        number >= 1 && number <= faces.count ? faces[number - 1] : nil
    }
}
