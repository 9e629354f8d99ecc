import Foundation
import Testing
import TriageEngine
#if canImport(Glibc)
import Glibc
#endif

@Suite("Thread priority")
struct ThreadPriorityTests {
    /// The intake's threads run at nice 10, and only they: the thread that
    /// lowered itself and what it starts, not the process's other threads.
    @Test func lowersTheCallingThreadOnly() throws {
        #if os(Linux)
        let which = __priority_which_t(PRIO_PROCESS.rawValue)
        let before = getpriority(which, 0)
        final class Seen: @unchecked Sendable { var own: Int32 = -100, child: Int32 = -100 }
        let seen = Seen()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            lowerThreadPriority()
            lowerThreadPriority()  // twice: still 10, not 20
            seen.own = getpriority(which, 0)
            let inner = Thread {
                seen.child = getpriority(which, 0)
                done.signal()
            }
            inner.start()
        }
        thread.start()
        done.wait()
        #expect(seen.own == max(10, before))
        #expect(seen.child == seen.own)
        #expect(getpriority(which, 0) == before)
        #endif
    }
}
