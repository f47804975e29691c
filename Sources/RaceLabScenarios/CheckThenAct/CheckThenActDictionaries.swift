import CRaceLabShims

/// What a reader's check-then-use found.
package enum CheckOutcome {
    /// The check said the key was absent: nothing to do.
    case absent
    /// The check said present and the use got the value.
    case used(Int)
    /// The check said present, but the key was gone when used.
    case vanished
}

/// A shared dictionary some workers toggle keys in while others check-then-use.
package protocol CheckThenActDictionary: Sendable {
    /// Reader: is `key` there? Then use its value.
    func checkThenUse(_ key: Int) -> CheckOutcome
    /// Writer: remove `key` if present, else insert it with `token` if absent.
    /// Returns false if the insert replaced a value another writer had put there.
    func toggle(_ key: Int, token: Int) -> Bool
}

/// Deliberately racy, memory-safe: every dictionary operation takes the lock on its
/// own, but the check and the act are two operations with a gap between them.
package final class SeparateCheckDictionary: CheckThenActDictionary {
    private let storage = Locked<[Int: Int]>([:], name: "map")
    private let workSteps: Int64

    package init(work: Int) { workSteps = Int64(work) }

    package func checkThenUse(_ key: Int) -> CheckOutcome {
        guard storage.withLock({ $0[key] != nil }) else { return .absent }
        if workSteps > 0 { racelab_spin(workSteps) }
        // Where Python raises KeyError, racelab counts instead of force-unwrapping.
        return storage.withLock { $0[key] }.map(CheckOutcome.used) ?? .vanished
    }

    package func toggle(_ key: Int, token: Int) -> Bool {
        if storage.withLock({ $0[key] != nil }) {
            storage.withLock { _ = $0.removeValue(forKey: key) }
            return true
        }
        if workSteps > 0 { racelab_spin(workSteps) }
        // The "insert if absent" was decided above; the set itself can tell
        // whether it replaced another writer's value.
        let replaced = storage.withLock { $0.updateValue(token, forKey: key) }
        return replaced == nil
    }
}

/// Check and act inside one critical section.
package final class CriticalSectionDictionary: CheckThenActDictionary {
    package init() {}
    private let storage = Locked<[Int: Int]>([:], name: "map")

    package func checkThenUse(_ key: Int) -> CheckOutcome {
        storage.withLock { dictionary in
            guard dictionary[key] != nil else { return .absent }
            return dictionary[key].map(CheckOutcome.used) ?? .vanished
        }
    }

    package func toggle(_ key: Int, token: Int) -> Bool {
        storage.withLock { dictionary in
            if dictionary[key] != nil {
                dictionary.removeValue(forKey: key)
                return true
            }
            return dictionary.updateValue(token, forKey: key) == nil
        }
    }
}

/// No separate check: one lookup, and insert-if-absent as one operation.
package final class SingleLookupDictionary: CheckThenActDictionary {
    package init() {}
    private let storage = Locked<[Int: Int]>([:], name: "map")

    package func checkThenUse(_ key: Int) -> CheckOutcome {
        storage.withLock { $0[key] }.map(CheckOutcome.used) ?? .absent
    }

    package func toggle(_ key: Int, token: Int) -> Bool {
        if storage.withLock({ $0.removeValue(forKey: key) }) != nil { return true }
        // Inserts only if still absent; if another writer got there first, it
        // leaves their value alone, so nothing is ever overwritten.
        storage.withLock { dictionary in
            if dictionary[key] == nil { dictionary[key] = token }
        }
        return true
    }
}
