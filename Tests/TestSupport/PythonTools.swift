import Foundation
import Synchronization

/// Python tools the tests run (schemathesis), installed on first use into `.venv-tools/` at the package root from
/// PyPI at pinned versions, so a fresh clone needs nothing but `python3` with `venv`. A test that cannot install one
/// fails with what to do; it never skips.
public enum PythonTools {
    /// The schemathesis release the API fuzz test was written against.
    public static let schemathesisVersion = "4.32.5"

    /// The package root (the folder holding Package.swift).
    public static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    private static let installed = Mutex<Result<URL, Failure>?>(nil)

    /// Why a tool could not be installed.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The `schemathesis` executable, installing it first if needed.
    public static func schemathesis() throws -> URL {
        try installed.withLock { state in
            if state == nil {
                state = Result { try install() }.mapError { $0 as? Failure ?? Failure(description: "\($0)") }
            }
            return try state!.get()
        }
    }

    private static func install() throws -> URL {
        let venv = packageRoot.appendingPathComponent(".venv-tools")
        let tool = venv.appendingPathComponent("bin/schemathesis")
        let version = try? BinaryRunner.runTool(tool.path, ["--version"])
        if version?.status == 0, version?.output.contains(schemathesisVersion) == true { return tool }
        let steps: [(String, [String])] = [
            ("/usr/bin/python3", ["-m", "venv", venv.path]),
            (venv.appendingPathComponent("bin/pip").path, ["install", "-q", "schemathesis==\(schemathesisVersion)"]),
        ]
        for (path, arguments) in steps {
            let outcome = try BinaryRunner.runTool(path, arguments)
            guard outcome.status == 0 else {
                throw Failure(
                    description:
                        "Installing schemathesis for the API fuzz test failed (\(path) \(arguments.joined(separator: " "))):"
                        + " \(outcome.error.suffix(2000)) Install python3-venv (`apt-get install python3-venv`), make"
                        + " PyPI reachable, and test again.")
            }
        }
        return tool
    }
}
