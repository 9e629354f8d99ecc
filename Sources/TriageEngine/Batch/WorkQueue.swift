import TriageModel
import Foundation

/// First in, first out, for threads that wait for work: `take` waits for an
/// item, and once the queue is closed returns what is left, then nil.
final class WorkQueue<Item>: @unchecked Sendable {
    /// Guards everything below; signalled when an item arrives or the queue closes.
    private let condition = NSCondition()
    /// Items from `head` on are waiting; those before it were taken (dropped
    /// in one go once they are most of the array).
    private var items: [Item] = []
    private var head = 0
    private var closed = false

    func put(_ item: Item) {
        condition.lock()
        items.append(item)
        condition.signal()
        condition.unlock()
    }

    func take() -> Item? {
        condition.lock()
        defer { condition.unlock() }
        while head == items.count && !closed { condition.wait() }
        guard head < items.count else { return nil }
        let item = items[head]
        head += 1
        if head > 1024 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        return item
    }

    /// No more items: waiting threads get what is left, then nil.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}
