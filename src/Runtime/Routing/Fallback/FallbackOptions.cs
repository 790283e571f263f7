using System.Globalization;

namespace PromptOps.Routing;

/// <summary>Options of <see cref="FallbackChatClient"/> (configuration section <c>PromptOps:Fallback</c>).</summary>
public sealed class FallbackOptions
{
    /// <summary>
    /// Adds the fallback chain (with retries) around the provider in <c>UsePromptOps()</c>. Off by default;
    /// <c>UseFallback(…)</c> adds it regardless.
    /// </summary>
    public bool Enabled { get; set; }

    /// <summary>The name of the builder's own provider, first in the chain. Default <c>primary</c>.</summary>
    public string PrimaryName { get; set; } = "primary";

    /// <summary>
    /// The providers to fall back to, in order, after the builder's own: service keys of keyed <c>IChatClient</c>
    /// registrations (<c>services.AddKeyedChatClient("azure", …)</c>), used by <c>UsePromptOps()</c>.
    /// </summary>
    public List<string> Providers { get; set; } = [];

    /// <summary>Retries per provider after a transient error (429, 408, 5xx, a timeout, a network error); 0 disables retries.</summary>
    public int MaxRetries { get; set; } = 2;

    /// <summary>The first backoff delay; it doubles with each retry (exponential backoff).</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The largest backoff delay (a provider's <c>Retry-After</c> is not capped by it, see <see cref="MaxRetryAfter"/>).</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Randomises backoff delays (decorrelated jitter), so that many clients do not retry in step. Default true.</summary>
    public bool UseJitter { get; set; } = true;

    /// <summary>
    /// The longest <c>Retry-After</c> (on 429 or 503) worth waiting for; a provider asking for longer is not retried, the
    /// chain moves to the next provider at once. Default one minute.
    /// </summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The time one attempt may take before it is abandoned as a (transient) timeout; <see cref="Timeout.InfiniteTimeSpan"/> disables it. Default 100 s.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>
    /// How long a provider that failed with a non-transient error (401, 403, 404, a malformed body) is skipped; after
    /// it, one request probes the provider again. Default five minutes.
    /// </summary>
    public TimeSpan UnhealthyCooldown { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Overrides how an exception is classified; return null to use the built-in rules (see <see cref="ProviderErrors"/>).
    /// Set in code.
    /// </summary>
    public Func<Exception, ProviderErrorKind?>? Classifier { get; set; }

    /// <summary>The problems with these options, each naming the bad value; empty when valid.</summary>
    public IEnumerable<string> GetErrors()
    {
        if (string.IsNullOrWhiteSpace(PrimaryName)) yield return "PromptOps:Fallback:PrimaryName is empty.";
        foreach (var name in Providers ?? [])
        {
            if (string.IsNullOrWhiteSpace(name)) yield return "PromptOps:Fallback:Providers has an empty name.";
            else if (string.Equals(name.Trim(), PrimaryName?.Trim(), StringComparison.OrdinalIgnoreCase))
                yield return $"PromptOps:Fallback:Providers lists '{name}', the primary provider's name.";
        }

        foreach (var dup in (Providers ?? []).Where(n => !string.IsNullOrWhiteSpace(n)).GroupBy(n => n.Trim(), StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
            yield return $"PromptOps:Fallback:Providers lists '{dup.Key}' more than once.";
        if (MaxRetries is < 0 or > 100) yield return string.Create(CultureInfo.InvariantCulture, $"PromptOps:Fallback:MaxRetries is {MaxRetries}; use 0 to 100.");
        if (BaseDelay <= TimeSpan.Zero) yield return $"PromptOps:Fallback:BaseDelay is {BaseDelay}; it must be positive.";
        if (MaxDelay < BaseDelay) yield return $"PromptOps:Fallback:MaxDelay ({MaxDelay}) is shorter than BaseDelay ({BaseDelay}).";
        if (MaxRetryAfter < TimeSpan.Zero) yield return $"PromptOps:Fallback:MaxRetryAfter is {MaxRetryAfter}; it cannot be negative.";
        if (AttemptTimeout <= TimeSpan.Zero && AttemptTimeout != Timeout.InfiniteTimeSpan)
            yield return $"PromptOps:Fallback:AttemptTimeout is {AttemptTimeout}; it must be positive (or infinite).";
        if (UnhealthyCooldown < TimeSpan.Zero) yield return $"PromptOps:Fallback:UnhealthyCooldown is {UnhealthyCooldown}; it cannot be negative.";
    }

    /// <summary>A copy that can be changed without changing this instance.</summary>
    internal FallbackOptions Clone()
    {
        var copy = (FallbackOptions)MemberwiseClone();
        copy.Providers = [.. Providers ?? []];
        return copy;
    }
}
