namespace PromptOps.Caching.Redis;

/// <summary>How a server's <c>VSIM … WITHSCORES</c> score relates to cosine similarity.</summary>
public enum VectorSetScore
{
    /// <summary>Find out once per store with a probe on a scratch key (an identical vector scores 0 on Garnet, 1 on Redis 8).</summary>
    Auto = 0,

    /// <summary>Garnet (2.2 vector-set preview): a squared L2 distance; for normalised vectors cosine = 1 − d²/2.</summary>
    SquaredL2Distance = 1,

    /// <summary>Redis 8: a similarity in [0, 1], (1 + cosine) / 2.</summary>
    Similarity = 2,
}
