import ArgumentParser
import Foundation
import Logging

/// `--log-level`, on every command: the one place logging is set up.
struct LoggingOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Log events at this level and above on standard error (see LOGGING in the README).",
                                            valueName: "LEVEL"))
    var logLevel: Logger.Level = .warning

    /// Runs as the command line is parsed, before any command runs, so
    /// every logger a library makes afterwards writes through it. Once per
    /// process (swift-log allows one bootstrap).
    func validate() throws {
        LoggingOptions.bootstrap(logLevel)
    }

    private static let once = Once()

    static func bootstrap(_ level: Logger.Level) {
        once.run {
            LoggingSystem.bootstrap { label in StandardErrorLogHandler(label: label, logLevel: level) }
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// Runs a closure the first time only.
final class Once: @unchecked Sendable {
    private var done = false
    private let lock = NSLock()

    func run(_ body: () -> Void) {
        lock.lock()
        defer { lock.unlock() }
        guard !done else { return }
        done = true
        body()
    }
}
