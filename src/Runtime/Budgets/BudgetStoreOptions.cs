namespace PromptOps.Budgets;

/// <summary>
/// Where budgets and plan quotas are counted (configuration section <c>PromptOps:BudgetStore</c>): in memory, or in
/// Redis (<c>PromptOps:Redis</c>) so that every instance shares them.
/// </summary>
public sealed class BudgetStoreOptions
{
    /// <summary>Count in Redis when <c>PromptOps:Redis:Configuration</c> is set. Default: on. Off: in memory (this process only).</summary>
    public bool UseRedis { get; set; } = true;

    /// <summary>
    /// What happens while Redis cannot be reached. Default: <see cref="BudgetStoreFailurePolicy.Escrow"/> (the budget
    /// never passes its limit during an outage; plan quotas fall back to a local window).
    /// </summary>
    public BudgetStoreFailurePolicy WhenUnavailable { get; set; } = BudgetStoreFailurePolicy.Escrow;

    /// <summary>How the budget is sliced under <see cref="BudgetStoreFailurePolicy.Escrow"/> (<c>PromptOps:BudgetStore:Escrow</c>).</summary>
    public EscrowOptions Escrow { get; set; } = new();

    /// <summary>After a Redis failure, how long Redis is skipped before one request probes it. Default: 5 seconds.</summary>
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a reservation holds budget if it is never settled (the process died). Set it above the longest call
    /// (streams included): a call that outlives its lease no longer holds its worst case. Default: 10 minutes.
    /// </summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The problems with these options, each naming the bad value; empty when valid.</summary>
    public IEnumerable<string> GetErrors()
    {
        if (!Enum.IsDefined(WhenUnavailable)) yield return $"PromptOps:BudgetStore:WhenUnavailable '{WhenUnavailable}' is not Escrow, FallbackToLocal or FailClosed.";
        if (Escrow is null) yield return "PromptOps:BudgetStore:Escrow must not be null.";
        else foreach (var error in Escrow.GetErrors()) yield return error;
        if (RetryInterval < TimeSpan.Zero) yield return $"PromptOps:BudgetStore:RetryInterval must not be negative, but is {RetryInterval}.";
        if (LeaseDuration <= TimeSpan.Zero) yield return $"PromptOps:BudgetStore:LeaseDuration must be positive, but is {LeaseDuration}.";
        else if (LeaseDuration > TimeSpan.FromDays(1)) yield return $"PromptOps:BudgetStore:LeaseDuration must be at most one day, but is {LeaseDuration}.";
    }

    /// <summary>A copy that can be changed without changing this instance.</summary>
    internal BudgetStoreOptions Clone()
    {
        var copy = (BudgetStoreOptions)MemberwiseClone();
        copy.Escrow = Escrow?.Clone()!;
        return copy;
    }
}
