#if canImport(Glibc)
import Glibc
#endif

/// Lowers the calling thread's scheduling priority (Linux: its nice value,
/// which is per thread there, and which threads it starts inherit) to
/// `niceness`, if it is not that low already. A server's intake workers run
/// so: when assessing saturates the cores, the threads answering requests
/// still get the CPU at once, and an acknowledgement does not wait behind a
/// page being scanned. Elsewhere, does nothing.
public func lowerThreadPriority(to niceness: Int32 = 10) {
    #if os(Linux)
    // On Linux the nice value belongs to each thread, and `who` 0 names the
    // calling one (setpriority(2), NOTES).
    let which = __priority_which_t(PRIO_PROCESS.rawValue)
    errno = 0
    let current = getpriority(which, 0)
    if errno == 0 && current < niceness { _ = setpriority(which, 0, niceness) }
    #endif
}
