using System.Globalization;

namespace PromptOps.Truncation;

/// <summary>Options of <see cref="TruncationChatClient"/> (configuration section <c>PromptOps:Truncation</c>).</summary>
public sealed class TruncationOptions
{
    /// <summary>
    /// The policy for a cut-off text reply — and for any request whose metadata sets no policy and does not ask for a
    /// structured reply (raw calls). Default: <see cref="TruncationPolicy.Return"/>.
    /// </summary>
    public TruncationPolicy Policy { get; set; } = TruncationPolicy.Return;

    /// <summary>
    /// The policy for a reply that is read as a value — an enum, bool, number or JSON (generated methods mark these with
    /// <see cref="PromptOpsMetadata.StructuredReply"/>; a raw call asking for a JSON response format counts too) — where a
    /// cut-off reply usually cannot be read at all. Default: <see cref="TruncationPolicy.Retry"/>.
    /// </summary>
    public TruncationPolicy StructuredPolicy { get; set; } = TruncationPolicy.Retry;

    /// <summary>The retry's output-token limit is the request's times this factor (rounded up); more than 1. Default 2.</summary>
    public double RetryFactor { get; set; } = 2.0;

    /// <summary>The most output tokens a retry may ask for, whatever the factor; positive. Default 4,000.</summary>
    public int MaxRetryTokens { get; set; } = 4_000;

    /// <summary>The problems with these options, each naming the bad value; empty when valid.</summary>
    public IEnumerable<string> GetErrors()
    {
        if (!Enum.IsDefined(Policy)) yield return string.Create(CultureInfo.InvariantCulture, $"PromptOps:Truncation:Policy is {(int)Policy}; use Return, Throw or Retry.");
        if (!Enum.IsDefined(StructuredPolicy)) yield return string.Create(CultureInfo.InvariantCulture, $"PromptOps:Truncation:StructuredPolicy is {(int)StructuredPolicy}; use Return, Throw or Retry.");
        if (!(RetryFactor > 1) || double.IsInfinity(RetryFactor)) yield return string.Create(CultureInfo.InvariantCulture, $"PromptOps:Truncation:RetryFactor must be a finite number above 1, but is {RetryFactor}.");
        if (MaxRetryTokens <= 0) yield return string.Create(CultureInfo.InvariantCulture, $"PromptOps:Truncation:MaxRetryTokens must be positive, but is {MaxRetryTokens}.");
    }

    /// <summary>
    /// The output-token limit of the retry of a request limited to <paramref name="limit"/>: <see cref="RetryFactor"/> times
    /// it, at most <see cref="MaxRetryTokens"/> and <paramref name="cap"/> (a user plan's limit); null when it cannot be raised.
    /// </summary>
    public int? RetryLimit(int limit, int? cap = null)
    {
        var raised = Math.Min(Math.Min(Math.Ceiling(limit * RetryFactor), MaxRetryTokens), cap ?? int.MaxValue);
        return raised > limit ? (int)raised : null;
    }

    /// <summary>A copy that can be changed without changing this instance.</summary>
    internal TruncationOptions Clone() => new()
    {
        Policy = Policy,
        StructuredPolicy = StructuredPolicy,
        RetryFactor = RetryFactor,
        MaxRetryTokens = MaxRetryTokens,
    };
}
