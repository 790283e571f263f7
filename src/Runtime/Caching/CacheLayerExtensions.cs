using Microsoft.Extensions.AI;

namespace PromptOps.Caching;

/// <summary>Reads the cache layer PromptOps recorded on a response or streamed update.</summary>
public static class CacheLayerExtensions
{
    /// <summary>The layer that served <paramref name="response"/>; <see cref="CacheLayer.None"/> when the provider answered.</summary>
    public static CacheLayer GetCacheLayer(this ChatResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return Read(response.AdditionalProperties);
    }

    /// <summary>The layer that served the stream this update belongs to.</summary>
    public static CacheLayer GetCacheLayer(this ChatResponseUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        return Read(update.AdditionalProperties);
    }

    internal static string ToMetricName(this CacheLayer layer) => layer switch
    {
        CacheLayer.Memory => "l1",
        CacheLayer.Distributed => "l2",
        CacheLayer.InFlight => "in_flight",
        CacheLayer.Semantic => "semantic",
        _ => "none",
    };

    private static CacheLayer Read(AdditionalPropertiesDictionary? props) => PromptOpsResponseFeatures.Get(props)?.CacheLayer ?? CacheLayer.None;
}
