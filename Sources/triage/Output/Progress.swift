import Foundation

/// A one-line progress bar on standard error, redrawn at most ten times a second.
struct Progress {
    let enabled: Bool
    let total: Int?
    private var lastDraw: Double = -1

    init(enabled: Bool, total: Int?) {
        self.enabled = enabled
        self.total = total
    }

    mutating func update(done: Int, bytes: Int, since start: ContinuousClock.Instant) {
        guard enabled else { return }
        let elapsed = Double((ContinuousClock.now - start) / .milliseconds(1)) / 1000
        guard elapsed - lastDraw >= 0.1 else { return }
        lastDraw = elapsed
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        var line = "\r\u{1B}[K"
        if let total, total > 0 {
            let fraction = min(Double(bytes) / Double(total), 1)
            let filled = Int(fraction * 30)
            line += "[" + String(repeating: "=", count: filled) + String(repeating: " ", count: 30 - filled) + "] "
                + String(format: "%3.0f%%  ", fraction * 100)
            if fraction > 0.01 {
                let remaining = elapsed / fraction - elapsed
                line += String(format: "ETA %d:%02d  ", Int(remaining) / 60, Int(remaining) % 60)
            }
        }
        line += String(format: "%d referrals  %.0f/s", done, rate)
        printError(line, newline: false)
    }

    mutating func clear() {
        guard enabled, lastDraw >= 0 else { return }
        printError("\r\u{1B}[K", newline: false)
        lastDraw = -1
    }
}

