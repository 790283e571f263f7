namespace PromptOps.Budgets;

/// <summary>
/// A request PromptOps refused before it reached the provider because a limit would be exceeded: a budget, a plan's
/// daily requests or tokens, its input size or models, a rate limit. Names the limit, the current value, the limit
/// value and when to retry. The usage meter records such a call with the outcome <c>Refused</c>.
/// </summary>
public class PromptOpsLimitException : InvalidOperationException
{
    /// <summary>Creates the exception; <paramref name="message"/> should say the same as the properties, for a log line.</summary>
    public PromptOpsLimitException(string message, string limitName, decimal current, decimal limit, string unit, TimeSpan? retryAfter, string? userId = null, Exception? innerException = null)
        : base(message, innerException)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(limitName);
        ArgumentException.ThrowIfNullOrWhiteSpace(unit);
        LimitName = limitName;
        Current = current;
        Limit = limit;
        Unit = unit;
        RetryAfter = retryAfter;
        UserId = userId;
    }

    /// <summary>The limit that would be exceeded, e.g. <c>budget.daily</c>, <c>plan.daily_requests</c>, <c>plan.rpm</c>.</summary>
    public string LimitName { get; }

    /// <summary>The value the limit is measured against at refusal time (spend in USD, requests, tokens…), including what is reserved.</summary>
    public decimal Current { get; }

    /// <summary>The limit's value, in <see cref="Unit"/>.</summary>
    public decimal Limit { get; }

    /// <summary>The unit of <see cref="Current"/> and <see cref="Limit"/>: <c>USD</c>, <c>requests</c>, <c>tokens</c>.</summary>
    public string Unit { get; }

    /// <summary>When a retry can succeed (the window resets, a rate-limit permit frees); null when waiting will not help (e.g. an input that is too long).</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>The user the limit applies to, when it is a per-user limit.</summary>
    public string? UserId { get; }
}
