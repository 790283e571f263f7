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

    /// <summary>Attaches <paramref name="metadata"/> to <paramref name="options"/> (replacing any earlier one) and returns the options.</summary>
    public static ChatOptions WithPromptOps(this ChatOptions options, PromptOpsMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(metadata);
        (options.AdditionalProperties ??= new AdditionalPropertiesDictionary())[AdditionalPropertiesKey] = metadata;
        return options;
    }

    /// <summary>
    /// Returns the metadata attached to <paramref name="options"/>, or null. When the metadata names no user and
    /// <see cref="PromptOpsContext.UserId"/> is set, the result carries that ambient user (a metadata with only the user
    /// when none is attached).
    /// </summary>
    public static PromptOpsMetadata? GetPromptOps(this ChatOptions? options)
    {
        var metadata = options?.AdditionalProperties is { } props && props.TryGetValue(AdditionalPropertiesKey, out var value)
            ? value as PromptOpsMetadata
            : null;
        if (metadata?.UserId is not null || PromptOpsContext.UserId is not { } ambient) return metadata;
        return metadata is null ? new PromptOpsMetadata { UserId = ambient } : metadata with { UserId = ambient };
    }
}
