import Foundation
import Synchronization

/// Tools the tests run that are not Swift: schemathesis and Selenium, installed on first use into `.venv-tools/` at the
/// package root from PyPI at pinned versions, and Debian's Chromium with its driver and CJK fonts, installed with
/// apt-get. A fresh clone needs nothing but `python3` with `venv` and root (or the packages already there). A test
/// that cannot install one fails with what to do; it never skips.
public enum PythonTools {
    /// The schemathesis release the API fuzz test was written against.
    public static let schemathesisVersion = "4.32.5"
    /// The Selenium release the console's browser tests were written against.
    public static let seleniumVersion = "4.38.0"
    /// Debian's Chromium and its WebDriver.
    public static let chromium = "/usr/bin/chromium"
    public static let chromedriver = "/usr/bin/chromedriver"
    static let cjkFont = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"

    /// The package root (the folder holding Package.swift).
    public static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static let venv = packageRoot.appendingPathComponent(".venv-tools")

    private static let installed = Mutex<[String: Result<URL, Failure>]>([:])

    /// Why a tool could not be installed.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The `schemathesis` executable, installing it first if needed.
    public static func schemathesis() throws -> URL {
        try once("schemathesis") {
            let tool = venv.appendingPathComponent("bin/schemathesis")
            let version = try? BinaryRunner.runTool(tool.path, ["--version"])
            if version?.status == 0, version?.output.contains(schemathesisVersion) == true { return tool }
            try pipInstall("schemathesis==\(schemathesisVersion)", for: "the API fuzz test")
            return tool
        }
    }

    /// A Python that can `import selenium` and drive Chromium headless: installs Selenium into the tools' venv and
    /// Debian's `chromium`, `chromium-driver` and `fonts-noto-cjk` when they are missing.
    public static func seleniumPython() throws -> URL {
        try once("selenium") {
            try installBrowser()
            let python = venv.appendingPathComponent("bin/python3")
            let version = try? BinaryRunner.runTool(
                python.path, ["-c", "import selenium; print(selenium.__version__)"])
            if version?.status == 0, version?.output.contains(seleniumVersion) == true { return python }
            try pipInstall("selenium==\(seleniumVersion)", for: "the console's browser tests")
            return python
        }
    }

    private static func once(_ name: String, _ install: () throws -> URL) throws -> URL {
        try installed.withLock { state in
            if state[name] == nil {
                state[name] = Result { try install() }.mapError { $0 as? Failure ?? Failure(description: "\($0)") }
            }
            return try state[name]!.get()
        }
    }

    private static func pipInstall(_ requirement: String, for purpose: String) throws {
        let steps: [(String, [String])] = [
            ("/usr/bin/python3", ["-m", "venv", venv.path]),
            (venv.appendingPathComponent("bin/pip").path, ["install", "-q", requirement]),
        ]
        for (path, arguments) in steps {
            let outcome = try BinaryRunner.runTool(path, arguments)
            guard outcome.status == 0 else {
                throw Failure(
                    description:
                        "Installing \(requirement) for \(purpose) failed (\(path) \(arguments.joined(separator: " "))):"
                        + " \(outcome.error.suffix(2000)) Install python3-venv (`apt-get install python3-venv`), make"
                        + " PyPI reachable, and test again.")
            }
        }
    }

    private static func installBrowser() throws {
        let files = FileManager.default
        guard [chromium, chromedriver, cjkFont].contains(where: { !files.fileExists(atPath: $0) }) else { return }
        let packages = ["chromium", "chromium-driver", "fonts-noto-cjk"]
        let advice =
            "Install them (`apt-get update && apt-get install -y \(packages.joined(separator: " "))` as root) and"
            + " test again."
        guard getuid() == 0 else {
            throw Failure(description: "The console's browser tests need Debian's \(packages). \(advice)")
        }
        let environment = ["DEBIAN_FRONTEND": "noninteractive"]
        for arguments in [["update", "-q"], ["install", "-y", "-q"] + packages] {
            let outcome = try BinaryRunner.runTool("/usr/bin/apt-get", arguments, environment: environment)
            guard outcome.status == 0 else {
                throw Failure(
                    description: "apt-get \(arguments.joined(separator: " ")) failed: \(outcome.error.suffix(2000))"
                        + " \(advice)")
            }
        }
    }
}
