using Microsoft.Extensions.AI;

namespace PromptOps.Caching;

/// <summary>Where a response came from.</summary>
public enum CacheLayer
{
    /// <summary>The provider answered (a miss, a bypass, or no cache in the pipeline).</summary>
    None = 0,

    /// <summary>L1: the in-process memory cache.</summary>
    Memory = 1,

    /// <summary>L2: the shared distributed store (Redis).</summary>
    Distributed = 2,

    /// <summary>Joined an identical request that was already in flight in this process: one provider call served both.</summary>
    InFlight = 3,

    /// <summary>The semantic layer (a similar, not identical, earlier request).</summary>
    Semantic = 4,
}
