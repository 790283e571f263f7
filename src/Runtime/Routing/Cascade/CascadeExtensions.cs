using Microsoft.Extensions.AI;

namespace PromptOps.Routing;

/// <summary>Typed access to cascade data on options, responses and streamed updates.</summary>
public static class CascadeExtensions
{
    /// <summary>The key of the <see cref="CascadeRequest"/> in <see cref="ChatOptions.AdditionalProperties"/> (removed before the call goes on).</summary>
    public const string RequestKey = "promptops.cascade";

    /// <summary>Asks the cascade to judge this request's answers with <paramref name="evaluator"/>; returns the options.</summary>
    public static ChatOptions WithCascade(this ChatOptions options, ICascadeEvaluator evaluator)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(evaluator);
        (options.AdditionalProperties ??= new AdditionalPropertiesDictionary())[RequestKey] = new CascadeRequest(evaluator);
        return options;
    }

    /// <summary>The cascade settings on <paramref name="options"/>, or null.</summary>
    public static CascadeRequest? GetCascade(this ChatOptions? options) =>
        options?.AdditionalProperties is { } p && p.TryGetValue(RequestKey, out var v) ? v as CascadeRequest : null;

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
