using Microsoft.Extensions.AI;

namespace PromptOps.Routing;

/// <summary>Typed access to cascade data on options, responses and streamed updates.</summary>
public static class CascadeExtensions
{
    /// <summary>
    /// Asks the cascade to judge this request's answers with <paramref name="evaluator"/>: sets
    /// <see cref="PromptOpsMetadata.CascadeEvaluator"/> on the request's metadata (keeping the rest of it); returns the options.
    /// </summary>
    public static ChatOptions WithCascade(this ChatOptions options, ICascadeEvaluator evaluator)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(evaluator);
        return options.WithPromptOps((options.GetPromptOps() ?? new PromptOpsMetadata()) with { CascadeEvaluator = evaluator });
    }

    /// <summary>Every level a cascade tried for this response, in order (the last one answered); null when no cascade ran.</summary>
    public static IReadOnlyList<CascadeAttempt>? GetCascadeAttempts(this ChatResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return Read(response.AdditionalProperties);
    }

    /// <summary>The cascade attempts carried by a streamed update (the last update of a cascaded stream); null otherwise.</summary>
    public static IReadOnlyList<CascadeAttempt>? GetCascadeAttempts(this ChatResponseUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        return Read(update.AdditionalProperties);
    }

    /// <summary>
    /// The attempts paid for before <paramref name="exception"/>: those a cascade or an escalation carried with an exception
    /// thrown by a later level, or a <see cref="CascadeExhaustedException"/>'s; null when there are none.
    /// </summary>
    public static IReadOnlyList<CascadeAttempt>? GetCascadeAttempts(this Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return PromptOpsResponseFeatures.Get(exception)?.Attempts
            ?? (exception is CascadeExhaustedException { Attempts.Count: > 0 } exhausted ? exhausted.Attempts : null);
    }

    /// <summary>The 0-based level that answered, or null when no cascade ran.</summary>
    public static int? GetCascadeLevel(this ChatResponse response) => response.GetCascadeAttempts() is { Count: > 0 } a ? a[^1].Level : null;

    private static IReadOnlyList<CascadeAttempt>? Read(AdditionalPropertiesDictionary? p) => PromptOpsResponseFeatures.Get(p)?.Attempts;
}
