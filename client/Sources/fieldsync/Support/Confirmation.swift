import ArgumentParser
import Foundation

/// Asks before a destructive command on a terminal; `--yes`, or input that is not a terminal (a script), goes ahead.
enum Confirmation {
    /// Asks `question` (a `[y/N]` prompt) unless `yes`; anything but y or yes stops the command with exit code 1,
    /// nothing changed.
    static func ask(_ question: String, yes: Bool) throws {
        guard !yes, isatty(STDIN_FILENO) == 1 else { return }
        FileHandle.standardError.write(Data("\(question) [y/N] ".utf8))
        let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        guard answer == "y" || answer == "yes" else {
            FileHandle.standardError.write(Data("Nothing changed.\n".utf8))
            throw ExitCode(1)
        }
    }
}
