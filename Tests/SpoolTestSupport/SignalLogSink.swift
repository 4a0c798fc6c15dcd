import Basics
import Dispatch

/// Signals a semaphore when the daemon logs that a signal arrived.
public final class SignalLogSink: LogSink {
    public let signalled = DispatchSemaphore(value: 0)
    public init() {}
    public func write(_ line: String) {
        if line.contains("signal received") { signalled.signal() }
    }
}
