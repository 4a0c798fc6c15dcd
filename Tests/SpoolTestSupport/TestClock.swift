import Basics
import Foundation

/// The tests' clock: a fixed noon, so training and termination rules do not drift.
public enum TestClock {
    public static let now = UTCDay.parse("2026-06-01")!.addingTimeInterval(12 * 3600)
}
