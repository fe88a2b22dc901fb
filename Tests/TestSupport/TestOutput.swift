import Foundation

/// Prints a line for the person reading the test log, written at once: `print` is buffered when standard output is a
/// file, and would then land after Swift Testing's closing line, which CI reads as the last line.
public func testOutput(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
