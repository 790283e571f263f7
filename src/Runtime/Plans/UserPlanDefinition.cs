namespace PromptOps.Plans;

/// <summary>One plan as configured (<c>PromptOps:Plans:Definitions:&lt;name&gt;</c>): a value left unset keeps the built-in plan's value (or is unlimited for a new plan).</summary>
public sealed class UserPlanDefinition
{
    /// <summary>Requests per UTC day.</summary>
    public int? DailyRequests { get; set; }

    /// <summary>Billed tokens per UTC day.</summary>
    public long? DailyTokens { get; set; }

    /// <summary>The longest input in tokens.</summary>
    public int? MaxInputTokens { get; set; }

    /// <summary>The most output tokens per request.</summary>
    public int? MaxOutputTokens { get; set; }

    /// <summary>The models the plan includes; <c>["*"]</c> allows all.</summary>
    public List<string>? Models { get; set; }

    /// <summary>Requests per minute.</summary>
    public int? RequestsPerMinute { get; set; }

    /// <summary>A copy.</summary>
    internal UserPlanDefinition Clone() => new()
    {
        DailyRequests = DailyRequests, DailyTokens = DailyTokens, MaxInputTokens = MaxInputTokens, MaxOutputTokens = MaxOutputTokens,
        Models = Models is null ? null : [.. Models], RequestsPerMinute = RequestsPerMinute,
    };
}
