using System.Globalization;

namespace PromptOps.Caching.Semantic;

/// <summary>
/// Options of the semantic layer of the response cache (configuration section <c>PromptOps:Cache:Semantic</c>). Off by
/// default; it needs an <c>IEmbeddingGenerator&lt;string, Embedding&lt;float&gt;&gt;</c> (registered in DI, or passed
/// to <see cref="PromptCacheChatClient"/>), for example the offline MiniLM one in <c>PromptOps.Embeddings.MiniLM</c>.
/// </summary>
public sealed class SemanticCacheOptions
{
    /// <summary>The default <see cref="Threshold"/>, chosen from the labelled evaluation in the tests (docs/runtime.md, "Semantic cache").</summary>
    public const double DefaultThreshold = 0.85;

    /// <summary>Turns the semantic layer on. Default: off.</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// The least cosine similarity between two user texts for a hit, in (0, 1]. Default <see cref="DefaultThreshold"/>,
    /// chosen so that false hits stay at or under 1% on the labelled set with the MiniLM generator; another embedding
    /// model needs its own measurement. A prompt overrides it with <see cref="PromptOpsMetadata.SemanticThreshold"/>.
    /// </summary>
    public double Threshold { get; set; } = DefaultThreshold;

    /// <summary>
    /// The fraction of semantic hits, in [0, 1], that is checked against the provider: the request is sent anyway, the
    /// fresh answer is returned and compared with the cached one, and the result feeds the false-hit-rate metric
    /// (<c>promptops.cache.semantic.false_hit_rate</c>). Default: 0.02 (2% of hits cost a provider call).
    /// </summary>
    public double VerifyFraction { get; set; } = 0.02;

    /// <summary>
    /// When a verified hit's cached and fresh answers are not the same text, the least cosine similarity of their
    /// embeddings for them to count as agreeing, in (0, 1]. Default: 0.9.
    /// </summary>
    public double AnswerAgreementThreshold { get; set; } = 0.9;

    /// <summary>How many nearest entries above the threshold are checked by the guards (negation, numbers, names) before giving up. Default: 4.</summary>
    public int Candidates { get; set; } = 4;

    /// <summary>
    /// The bound of the in-memory index in bytes (vectors, texts and an estimate of the answers); beyond it the least
    /// recently used entries are evicted. Default: 64 MiB.
    /// </summary>
    public long MaxBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// The number of entries from which a partition also gets an approximate (inverted-file) index; smaller partitions
    /// are scanned exactly. Default: 16,384.
    /// </summary>
    public int ApproximateIndexMinEntries { get; set; } = 16_384;

    /// <summary>How many inverted-file lists an approximate lookup scans (more: better recall, slower). Default: 8.</summary>
    public int ApproximateProbes { get; set; } = 8;

    /// <summary>Use the shared vector-set store (Redis 8 / Garnet) when one is registered and L2 is on. Default: on.</summary>
    public bool UseDistributed { get; set; } = true;

    /// <summary>The problems with these options, each naming the bad value; empty when valid.</summary>
    public IEnumerable<string> GetErrors()
    {
        if (!(Threshold > 0 && Threshold <= 1)) yield return $"PromptOps:Cache:Semantic:Threshold must be in (0, 1], but is {Format(Threshold)}.";
        if (!(VerifyFraction >= 0 && VerifyFraction <= 1)) yield return $"PromptOps:Cache:Semantic:VerifyFraction must be in [0, 1], but is {Format(VerifyFraction)}.";
        if (!(AnswerAgreementThreshold > 0 && AnswerAgreementThreshold <= 1))
            yield return $"PromptOps:Cache:Semantic:AnswerAgreementThreshold must be in (0, 1], but is {Format(AnswerAgreementThreshold)}.";
        if (Candidates is < 1 or > 64) yield return $"PromptOps:Cache:Semantic:Candidates must be between 1 and 64, but is {Format(Candidates)}.";
        if (MaxBytes <= 0) yield return $"PromptOps:Cache:Semantic:MaxBytes must be positive, but is {Format(MaxBytes)}.";
        if (ApproximateIndexMinEntries < 1024) yield return $"PromptOps:Cache:Semantic:ApproximateIndexMinEntries must be at least 1024, but is {Format(ApproximateIndexMinEntries)}.";
        if (ApproximateProbes < 1) yield return $"PromptOps:Cache:Semantic:ApproximateProbes must be positive, but is {Format(ApproximateProbes)}.";
    }

    /// <summary>A copy that can be changed without changing this instance.</summary>
    internal SemanticCacheOptions Clone() => (SemanticCacheOptions)MemberwiseClone();

    private static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);
}
