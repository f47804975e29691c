// expect: accepted
// The `unsafe` account of `racelab actor-reentrancy`: every access to the balance is
// actor-isolated, so Swift 6 compiles it without a word. The check and the act are
// separated by an await, where other calls run: the balance still goes below zero.
actor Account {
    private(set) var balance = 10

    func withdraw(_ amount: Int) async -> Bool {
        guard balance >= amount else { return false }
        await Task.yield()  // the simulated I/O: the actor is free here
        balance -= amount
        return true
    }
}

let account = Account()
let granted = await withTaskGroup(of: Bool.self) { group in
    for _ in 0..<20 { group.addTask { await account.withdraw(1) } }
    var granted = 0
    for await ok in group where ok { granted += 1 }
    return granted
}
print("20 withdrawals of 1 from 10: \(granted) granted, balance \(await account.balance)")
