using System.Globalization;

namespace PromptOps.Caching;

/// <summary>
/// The TTL optimiser of <see cref="PromptCacheChatClient"/> (configuration section <c>PromptOps:Cache:AdaptiveTtl</c>).
/// An entry is stored for its base TTL (the request's TTL). Each hit moves its expiry later by
/// <see cref="ExtensionFactor"/> × the base TTL, but never past <see cref="MaxFactor"/> × the base TTL after it was stored.
/// An entry that is never hit expires at its base TTL; one hit often enough lives at most <see cref="MaxFactor"/> times
/// as long. Example with the defaults: a <c>daily</c> entry hit twice lives 2 days, and never more than 4 days.
/// <para>
/// Applies in memory (L1: each process extends its own copy on its own hits) and in the shared store (L2: a hit read
/// from Redis extends the key's expiry with one atomic script, so concurrent hits from several processes each add their
/// extension without a read-modify-write race). Hits served from L1 do not extend L2. Never extended: time-sensitive
/// requests (their short TTL is a freshness promise, see <see cref="PromptCacheOptions.DetectTimeSensitive"/>) and the
/// semantic layer's index (its vectors keep their base expiry; a semantic hit read from L2 extends that L2 entry).
/// </para>
/// </summary>
public sealed class AdaptiveTtlOptions
{
    /// <summary>Turns the optimiser on. Default: off (entries live exactly their TTL).</summary>
    public bool Enabled { get; set; }

    /// <summary>How much later each hit moves the expiry, as a multiple of the base TTL (0 &lt; x ≤ <see cref="MaxFactor"/>). Default: 0.5.</summary>
    public double ExtensionFactor { get; set; } = 0.5;

    /// <summary>The longest life of an entry, as a multiple of its base TTL (1 to 100; also never beyond 365 days). Default: 4.</summary>
    public double MaxFactor { get; set; } = 4;

    /// <summary>The problems with these options, each naming the bad value; empty when valid.</summary>
    public IEnumerable<string> GetErrors()
    {
        if (!(MaxFactor >= 1 && MaxFactor <= 100))
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"PromptOps:Cache:AdaptiveTtl:MaxFactor must be between 1 and 100 (a multiple of the entry's TTL), but is {MaxFactor}.");
        }

        if (!(ExtensionFactor > 0 && ExtensionFactor <= 100))
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"PromptOps:Cache:AdaptiveTtl:ExtensionFactor must be above 0 and at most 100 (a multiple of the entry's TTL added per hit), but is {ExtensionFactor}.");
        }
        else if (MaxFactor >= 1 && ExtensionFactor > MaxFactor)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"PromptOps:Cache:AdaptiveTtl:ExtensionFactor ({ExtensionFactor}) is larger than MaxFactor ({MaxFactor}); one hit would reach the cap.");
        }
    }

    /// <summary>A copy that can be changed without changing this instance.</summary>
    internal AdaptiveTtlOptions Clone() => (AdaptiveTtlOptions)MemberwiseClone();
}
