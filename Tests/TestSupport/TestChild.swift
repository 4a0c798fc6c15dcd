/// The child-process program the spool's tests start and kill (`frs-test-child`), built beside the test bundle.
public enum TestChild {
    public static var path: String { Program.built("frs-test-child") }
}
