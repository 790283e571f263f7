using Microsoft.Extensions.AI;

namespace PromptOps;

/// <summary>Puts <see cref="PromptOpsMetadata"/> on <see cref="ChatOptions"/> and reads it back.</summary>
public static class ChatOptionsPromptOpsExtensions
{
    /// <summary>
    /// The key under which the metadata travels in <see cref="ChatOptions.AdditionalProperties"/>. PromptOps
    /// middleware reads it there and never counts it in the cache key (only the prompt version and the cache
    /// scope are part of the key).
    /// </summary>
    public const string AdditionalPropertiesKey = "promptops.metadata";

    /// <summary>
    /// Attaches <paramref name="metadata"/> to <paramref name="options"/> (replacing any earlier one) and returns the
    /// options. A cascade evaluator set earlier (<see cref="Routing.CascadeExtensions.WithCascade"/>) is kept when
    /// <paramref name="metadata"/> names none, so the order of the two calls does not matter.
    /// </summary>
    public static ChatOptions WithPromptOps(this ChatOptions options, PromptOpsMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(metadata);
        if (metadata.CascadeEvaluator is null && options.GetPromptOps()?.CascadeEvaluator is { } evaluator) metadata = metadata with { CascadeEvaluator = evaluator };
        (options.AdditionalProperties ??= new AdditionalPropertiesDictionary())[AdditionalPropertiesKey] = metadata;
        return options;
    }

    /// <summary>Returns the metadata attached to <paramref name="options"/>, or null.</summary>
    public static PromptOpsMetadata? GetPromptOps(this ChatOptions? options) =>
        options?.AdditionalProperties is { } props && props.TryGetValue(AdditionalPropertiesKey, out var value)
            ? value as PromptOpsMetadata
            : null;

    /// <summary>
    /// The end user of the request: <see cref="PromptOpsMetadata.UserId"/> when the metadata names one, else the ambient
    /// <see cref="PromptOpsContext.UserId"/>, else null. Budgets, plans and the usage meter key on it.
    /// </summary>
    public static string? GetPromptOpsUserId(this ChatOptions? options) => PromptOpsContext.UserIdOf(options.GetPromptOps());

    /// <summary>
    /// The request as a generated call of its task would send it: when the metadata names a known task and the options set
    /// no <see cref="ChatOptions.MaxOutputTokens"/>, a copy with the task's output limit (classification 10, summary 200, …);
    /// otherwise <paramref name="options"/> itself. Applied by the first layer that changes a request on its metadata
    /// (user plans when on, else tier routing), so a raw call that names a task is limited, routed and cached like a
    /// generated one. The caller's options are never modified.
    /// </summary>
    public static ChatOptions? WithTaskDefaults(this ChatOptions? options)
    {
        if (options is null || options.MaxOutputTokens is not null) return options;
        if (options.GetPromptOps() is not { Task: { } task } || !Knowledge.PromptTasks.TryGet(task, out var info)) return options;
        var copy = options.Clone();
        copy.MaxOutputTokens = info.MaxOutputTokens;
        return copy;
    }
}
