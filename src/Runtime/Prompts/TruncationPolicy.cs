namespace PromptOps;

/// <summary>
/// What happens when a reply is cut off at the output-token limit (<c>ChatFinishReason.Length</c>). A cut-off reply is
/// never cached, is flagged <see cref="Usage.UsageAnomalies.Truncated"/> in the usage ledger and is counted in
/// <c>promptops.responses.truncated</c>, whatever the policy.
/// </summary>
public enum TruncationPolicy
{
    /// <summary>Return the cut-off reply as it is (<c>PromptResult&lt;T&gt;.Truncated</c> is true; the response's <c>FinishReason</c> is <c>Length</c>).</summary>
    Return = 0,

    /// <summary>Throw <see cref="PromptTruncatedException"/>, which carries the partial text and the response.</summary>
    Throw = 1,

    /// <summary>
    /// Ask again once with a larger output-token limit (<c>PromptOps:Truncation:RetryFactor</c> times the request's,
    /// at most <c>MaxRetryTokens</c>); a second cut-off reply is returned as it is. A stream cannot be asked again once
    /// its text has reached the caller: for a stream, Retry behaves as <see cref="Return"/>.
    /// </summary>
    Retry = 2,
}
