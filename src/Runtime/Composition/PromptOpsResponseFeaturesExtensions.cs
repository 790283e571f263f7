using Microsoft.Extensions.AI;

namespace PromptOps;

/// <summary>Reads the <see cref="PromptOpsResponseFeatures"/> the PromptOps layers put on a response or a streamed update.</summary>
public static class PromptOpsResponseFeaturesExtensions
{
    /// <summary>What the PromptOps layers recorded on <paramref name="response"/>, or null when none ran.</summary>
    public static PromptOpsResponseFeatures? GetPromptOpsFeatures(this ChatResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return PromptOpsResponseFeatures.Get(response.AdditionalProperties);
    }

    /// <summary>What the PromptOps layers recorded on <paramref name="update"/>, or null.</summary>
    public static PromptOpsResponseFeatures? GetPromptOpsFeatures(this ChatResponseUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        return PromptOpsResponseFeatures.Get(update.AdditionalProperties);
    }
}
