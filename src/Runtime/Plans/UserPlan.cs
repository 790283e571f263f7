namespace PromptOps.Plans;

/// <summary>
/// What a user may do: daily requests and tokens, the longest input, the most output per request, the models and
/// the requests per minute. A null limit is unlimited; null <see cref="AllowedModels"/> allows every model.
/// </summary>
public sealed record UserPlan
{
    /// <summary>The plan's name (<c>free</c>, <c>starter</c>, <c>pro</c>, <c>enterprise</c>, or a custom one).</summary>
    public required string Name { get; init; }

    /// <summary>Requests per UTC day; null: unlimited. Cache hits count (they are requests); refused requests do not.</summary>
    public int? DailyRequests { get; init; }

    /// <summary>Billed tokens (input + output) per UTC day; null: unlimited. Cache hits bill nothing and count nothing.</summary>
    public long? DailyTokens { get; init; }

    /// <summary>The longest input (counted tokens); a longer request is refused. Null: unlimited.</summary>
    public int? MaxInputTokens { get; init; }

    /// <summary>The most output tokens per request: <c>MaxOutputTokens</c> is clamped to it (and set to it when unset). Null: unlimited.</summary>
    public int? MaxOutputTokens { get; init; }

    /// <summary>The models the plan includes (catalogue names; provider ids with date/version suffixes match their base name); null: all.</summary>
    public IReadOnlyList<string>? AllowedModels { get; init; }

    /// <summary>Requests per minute; null: unlimited.</summary>
    public int? RequestsPerMinute { get; init; }

    /// <summary>True when <paramref name="modelId"/> is in <see cref="AllowedModels"/> (by catalogue name resolution) or every model is allowed.</summary>
    public bool Allows(string? modelId)
    {
        if (AllowedModels is null) return true;
        if (string.IsNullOrWhiteSpace(modelId)) return false;
        var set = new HashSet<string>(AllowedModels.Select(m => m.Trim().ToLowerInvariant()), StringComparer.Ordinal);
        // A plan that names an alias (claude-haiku) includes the model it stands for (claude-haiku-4-5 and its dated ids).
        foreach (var alias in Knowledge.DefaultPrices.Aliases)
        {
            if (set.Contains(alias.Key)) set.Add(alias.Value);
        }

        return Knowledge.DefaultPrices.ResolveName(modelId, set.Contains) is not null;
    }
}
