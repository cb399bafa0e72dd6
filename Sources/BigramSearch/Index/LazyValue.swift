import Foundation

/// A value computed on first use, at most once, by any thread.
final class LazyValue<Value: Sendable>: @unchecked Sendable {   // `value` is only touched under `lock`
    private let lock = NSLock()
    private var value: Value?

    func get(_ make: () -> Value) -> Value {
        lock.lock()
        defer { lock.unlock() }
        if let value { return value }
        let made = make()
        value = made
        return made
    }
}

