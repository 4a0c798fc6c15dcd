import Policy
import Reviews

extension AdminRequest {
    /// Every argument is one-line text (``Policy/TextSafety``): no control character, line break,
    /// tab or bidirectional control. ``DropBoxRequest/drop(via:into:)`` checks it before dropping.
    /// - Throws: ``Reviews/RequestFieldError`` naming the argument.
    public func checkFields() throws(RequestFieldError) {
        for (i, argument) in arguments.enumerated() {
            if let problem = TextSafety.problem(field: "argument \(i + 1)", argument, singleLine: true) {
                throw RequestFieldError(message: problem)
            }
        }
    }
}
