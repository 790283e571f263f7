namespace PromptOps.Budgets;

/// <summary>
/// One counter a reservation charges: a window of a budget (USD in nano-dollars) or of a plan (requests, tokens).
/// The key names the counter and its window (e.g. the day); the counter expires at <see cref="ExpiresAt"/>.
/// </summary>
/// <param name="Key">The counter's key, including its window (e.g. <c>budget:d:20261130</c>).</param>
/// <param name="Amount">What this request reserves on the counter (its worst case), in the counter's integer unit.</param>
/// <param name="Limit">The counter's limit; a reservation is refused when used + reserved + amount would exceed it.</param>
/// <param name="ExpiresAt">When the counter may be forgotten: the end of its window plus a grace period longer than a lease.</param>
public readonly record struct BudgetCharge(string Key, long Amount, long Limit, DateTimeOffset ExpiresAt);
