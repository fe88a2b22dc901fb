import ArgumentParser
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Asks for a password on the terminal without echoing it, as `ssh`, `sudo` and `psql` do.
public enum PasswordPrompt {
    /// Whether standard input is a terminal (then `login` may prompt).
    static var isTerminal: Bool { isatty(STDIN_FILENO) == 1 }

    /// Refuses, as a usage error, to prompt when standard input is not a terminal and `--password-stdin` was not
    /// given (a script would hang on a prompt nobody sees).
    public static func checkSource(fromStdin: Bool) throws {
        if !fromStdin && !isTerminal {
            throw ValidationError("Standard input is not a terminal: pipe the password in with --password-stdin.")
        }
    }

    /// The password: the first line of standard input with `--password-stdin`, else asked with `prompt`.
    public static func password(fromStdin: Bool, prompt: String) -> String {
        fromStdin ? readLine(strippingNewline: true) ?? "" : read(prompt)
    }

    /// Prints `prompt` on standard error, reads one line with echo off, and restores the terminal.
    static func read(_ prompt: String) -> String {
        FileHandle.standardError.write(Data(prompt.utf8))
        var saved = termios()
        let haveTerminal = tcgetattr(STDIN_FILENO, &saved) == 0
        if haveTerminal {
            var quiet = saved
            quiet.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet)
        }
        defer {
            if haveTerminal { tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved) }
            FileHandle.standardError.write(Data("\n".utf8))
        }
        return readLine(strippingNewline: true) ?? ""
    }
}
