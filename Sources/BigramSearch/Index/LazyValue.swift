import Foundation

/// A value computed on first use, at most once, by any thread.
final class LazyValue<Value: Sendable>: Sendable {
    private let value = Locked<Value?>(nil)

    func get(_ make: () -> Value) -> Value {
        value.withLock { value in
            if let value { return value }
            let made = make()
            value = made
            return made
        }
    }
}

