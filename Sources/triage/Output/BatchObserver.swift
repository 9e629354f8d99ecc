import TriageEngine

/// What a run tells a person on standard error as it goes: each rejected
/// record and queue conflict, and a progress bar on a terminal (cleared
/// before any message, so the two never mix).
final class BatchObserver: BatchRun.Observer {
    private let command: String
    private let reader: ReferralReader?
    private var progress: Progress
    private let started = ContinuousClock.now

    init(command: String, reader: ReferralReader?, progress: Progress) {
        self.command = command
        self.reader = reader
        self.progress = progress
    }

    func rejected(_ error: ReferralError) {
        progress.clear()
        printError("triage \(command): rejected: \(error)")
    }

    func conflict(referralID: String, reason: String) {
        progress.clear()
        printError("triage \(command): conflict: \(reason)")
    }

    func progress(done: Int) {
        progress.update(done: done, bytes: reader?.bytesRead ?? 0, since: started)
    }

    /// Clears the progress bar.
    func finish() { progress.clear() }
}
