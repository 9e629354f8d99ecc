import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A password from the terminal (asked twice, not echoed) or, when standard
/// input is not a terminal, its first line: never from the command line,
/// where other users see it in the process list.
func readPassword(command: String, prompt: String) throws -> String {
    guard isatty(STDIN_FILENO) == 1 else {
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            printError("triage \(command): no password on standard input")
            throw ExitCode(2)
        }
        return line
    }
    func ask(_ prompt: String) -> String {
        FileHandle.standardError.write(Data((prompt + ": ").utf8))
        var saved = termios()
        tcgetattr(STDIN_FILENO, &saved)
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet)
        defer {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        return readLine(strippingNewline: true) ?? ""
    }
    let first = ask(prompt)
    guard ask("again") == first else {
        printError("triage \(command): the passwords differ; nothing was changed")
        throw ExitCode(2)
    }
    return first
}
