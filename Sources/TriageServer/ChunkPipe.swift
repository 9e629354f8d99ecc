import Foundation

/// Bytes from a thread that produces them synchronously (the queue's export
/// walk) to a response body that writes them asynchronously, with at most
/// `capacity` chunks in between: the producer waits when the client reads
/// slowly, so an export of a million cases holds a few chunks, never the
/// whole. If the response ends early (the client went away), `put` returns
/// false and the producer stops.
final class ChunkPipe: @unchecked Sendable {
    private let condition = NSCondition()
    private var chunks: [[UInt8]] = []
    private var finished = false
    private var failure: (any Error)?
    private var closed = false
    let capacity: Int

    init(capacity: Int = 8) {
        self.capacity = capacity
    }

    /// Hands over a chunk; false if the reader has gone.
    func put(_ chunk: [UInt8]) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while chunks.count >= capacity && !closed { condition.wait() }
        guard !closed else { return false }
        chunks.append(chunk)
        condition.broadcast()
        return true
    }

    /// The producer is done (with `error` if it failed).
    func finish(_ error: (any Error)? = nil) {
        condition.lock()
        finished = true
        failure = error
        condition.broadcast()
        condition.unlock()
    }

    /// The next chunk, or nil at the end; rethrows the producer's failure.
    func take() throws -> [UInt8]? {
        condition.lock()
        defer { condition.unlock() }
        while chunks.isEmpty && !finished { condition.wait() }
        if !chunks.isEmpty {
            condition.broadcast()
            return chunks.removeFirst()
        }
        if let failure { throw failure }
        return nil
    }

    /// The reader has gone: the producer's next `put` returns false.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}
