namespace PromptOps.Usage;

/// <summary>What a persistent ledger sink does with a record when its write queue is full.</summary>
public enum LedgerOverflowPolicy
{
    /// <summary>The new record is dropped (counted, logged); the request never waits. The default.</summary>
    DropNewest = 0,

    /// <summary>The oldest queued record is dropped to make room (counted, logged); the request never waits.</summary>
    DropOldest = 1,

    /// <summary>
    /// The request thread waits until the writer has made room: nothing is dropped, but a slow disk slows requests.
    /// For ledgers that must be complete (billing).
    /// </summary>
    Wait = 2,
}
