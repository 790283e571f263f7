namespace PromptOps.Plans;

/// <summary>
/// The built-in plans (DESIGN.md "User plans") — the one place they are defined. Daily requests / daily tokens / max
/// input / max output / models / rpm: free 10 / 50k / 2,000 / 500 / gpt-4o-mini / 5; starter 100 / 500k / 4,000 /
/// 2,000 / + claude-haiku / 20; pro 1,000 / 5M / 8,000 / 4,000 / + gpt-4o, gpt-4.1 (today's high_quality default),
/// claude-sonnet / 60; enterprise unlimited
/// requests and tokens / 128,000 / 8,000 / all / 300.
/// </summary>
public static class UserPlans
{
    /// <summary>The free plan.</summary>
    public static readonly UserPlan Free = new()
    {
        Name = "free", DailyRequests = 10, DailyTokens = 50_000, MaxInputTokens = 2_000, MaxOutputTokens = 500,
        AllowedModels = ["gpt-4o-mini"], RequestsPerMinute = 5,
    };

    /// <summary>The starter plan.</summary>
    public static readonly UserPlan Starter = new()
    {
        Name = "starter", DailyRequests = 100, DailyTokens = 500_000, MaxInputTokens = 4_000, MaxOutputTokens = 2_000,
        AllowedModels = ["gpt-4o-mini", "claude-haiku"], RequestsPerMinute = 20,
    };

    /// <summary>The pro plan.</summary>
    public static readonly UserPlan Pro = new()
    {
        Name = "pro", DailyRequests = 1_000, DailyTokens = 5_000_000, MaxInputTokens = 8_000, MaxOutputTokens = 4_000,
        AllowedModels = ["gpt-4o-mini", "claude-haiku", "gpt-4o", "gpt-4.1", "claude-sonnet"], RequestsPerMinute = 60,
    };

    /// <summary>The enterprise plan.</summary>
    public static readonly UserPlan Enterprise = new()
    {
        Name = "enterprise", DailyRequests = null, DailyTokens = null, MaxInputTokens = 128_000, MaxOutputTokens = 8_000,
        AllowedModels = null, RequestsPerMinute = 300,
    };

    /// <summary>The built-in plans, cheapest first.</summary>
    public static readonly IReadOnlyList<UserPlan> All = [Free, Starter, Pro, Enterprise];
}
