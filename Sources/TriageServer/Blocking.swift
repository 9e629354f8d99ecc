import NIOPosix

/// Runs the queue's calls, which block on SQLite's locks and its fsyncs,
/// on NIO's blocking thread pool rather than on the cooperative threads
/// that every request's async code shares (two, on a two-core machine).
enum Blocking {
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive(body)
    }
}
