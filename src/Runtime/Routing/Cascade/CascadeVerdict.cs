namespace PromptOps.Routing;

/// <summary>The verdict of an <see cref="ICascadeEvaluator"/> on one answer.</summary>
/// <param name="Passed">True when the answer is good enough to return.</param>
/// <param name="Reason">Why it failed (or a note on why it passed), for the attempt record and logs.</param>
public readonly record struct CascadeVerdict(bool Passed, string? Reason = null)
{
    /// <summary>The answer is good enough.</summary>
    public static CascadeVerdict Pass { get; } = new(true);

    /// <summary>The answer is not good enough, for <paramref name="reason"/>.</summary>
    public static CascadeVerdict Fail(string reason) => new(false, reason);
}
