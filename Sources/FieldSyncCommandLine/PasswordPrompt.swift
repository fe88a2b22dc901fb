import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Asks for a password on the terminal without echoing it, as `ssh`, `sudo` and `psql` do.
public enum PasswordPrompt {
    /// Whether standard input is a terminal (then `login` may prompt).
    public static var isTerminal: Bool { isatty(STDIN_FILENO) == 1 }

    /// Prints `prompt` on standard error, reads one line with echo off, and restores the terminal.
    public static func read(_ prompt: String) -> String {
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
