using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace PromptOps.Routing.Batching;

/// <summary>Options of <see cref="ProviderBatchScheduler"/>: the provider, how items are grouped, how batches are polled and retried.</summary>
[Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
public sealed class ProviderBatchOptions
{
    /// <summary>The provider batch API. Default: <see cref="BatchProviderKind.OpenAI"/>.</summary>
    public BatchProviderKind Provider { get; set; } = BatchProviderKind.OpenAI;

    /// <summary>
    /// The API's root address (the paths <c>v1/…</c> are relative to it). Null: <c>https://api.openai.com/</c> or
    /// <c>https://api.anthropic.com/</c>. An OpenAI-compatible server's root (without its <c>/v1</c>) works too.
    /// </summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>The API key (OpenAI: <c>Authorization: Bearer</c>; Anthropic: <c>x-api-key</c>). Required, unless the HttpClient given adds it.</summary>
    public string? ApiKey { get; set; }

    /// <summary>The model of a deferrable call whose options and client name none.</summary>
    public string? DefaultModel { get; set; }

    /// <summary>A batch is submitted when it holds this many items (OpenAI allows 50,000 per batch, Anthropic 100,000). Default 1,000.</summary>
    public int MaxBatchSize { get; set; } = 1_000;

    /// <summary>…or this long after its first item was queued. Default 1 minute.</summary>
    public TimeSpan MaxBatchAge { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The first poll of a submitted batch comes this long after it was submitted; each next one twice as late. Default 10 seconds.</summary>
    public TimeSpan FirstPollDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest wait between two polls of a batch (the back-off stops growing there). Default 5 minutes.</summary>
    public TimeSpan MaxPollDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How many batches one item is submitted in at most: an item that expired, that the provider answered with a
    /// retryable error (rate limit, server error, overload) or that a batch left without a result is queued again until
    /// then. Rejected requests (4xx other than 429) and cancelled batches are not retried. Default 3.
    /// </summary>
    public int MaxItemAttempts { get; set; } = 3;

    /// <summary>OpenAI's <c>completion_window</c>. Default <c>24h</c> (the only value OpenAI accepts today).</summary>
    public string CompletionWindow { get; set; } = "24h";

    /// <summary>Anthropic requires <c>max_tokens</c>: used when a call sets no <c>MaxOutputTokens</c>. Default 1,024.</summary>
    public int DefaultMaxOutputTokens { get; set; } = 1_024;

    /// <summary>The <c>anthropic-version</c> header. Default <c>2023-06-01</c>.</summary>
    public string AnthropicVersion { get; set; } = "2023-06-01";

    /// <summary>The root address in effect: <see cref="BaseAddress"/>, else the provider's.</summary>
    public Uri EffectiveBaseAddress => BaseAddress ?? new Uri(Provider == BatchProviderKind.Anthropic ? "https://api.anthropic.com/" : "https://api.openai.com/");

    /// <summary>What is wrong with these options (empty when they are valid).</summary>
    public IEnumerable<string> GetErrors()
    {
        if (!Enum.IsDefined(Provider)) yield return $"ProviderBatchOptions.Provider is {Provider}; it must be OpenAI or Anthropic.";
        if (BaseAddress is { IsAbsoluteUri: false }) yield return $"ProviderBatchOptions.BaseAddress '{BaseAddress}' must be an absolute URI.";
        if (MaxBatchSize < 1) yield return string.Create(CultureInfo.InvariantCulture, $"ProviderBatchOptions.MaxBatchSize is {MaxBatchSize}; it must be at least 1.");
        if (MaxBatchAge <= TimeSpan.Zero) yield return $"ProviderBatchOptions.MaxBatchAge is {MaxBatchAge}; it must be positive.";
        if (FirstPollDelay <= TimeSpan.Zero) yield return $"ProviderBatchOptions.FirstPollDelay is {FirstPollDelay}; it must be positive.";
        if (MaxPollDelay < FirstPollDelay) yield return $"ProviderBatchOptions.MaxPollDelay is {MaxPollDelay}; it must be at least FirstPollDelay ({FirstPollDelay}).";
        if (MaxItemAttempts < 1) yield return string.Create(CultureInfo.InvariantCulture, $"ProviderBatchOptions.MaxItemAttempts is {MaxItemAttempts}; it must be at least 1.");
        if (string.IsNullOrWhiteSpace(CompletionWindow)) yield return "ProviderBatchOptions.CompletionWindow must be set (OpenAI accepts '24h').";
        if (DefaultMaxOutputTokens < 1) yield return string.Create(CultureInfo.InvariantCulture, $"ProviderBatchOptions.DefaultMaxOutputTokens is {DefaultMaxOutputTokens}; it must be at least 1.");
    }

    internal ProviderBatchOptions Clone() => (ProviderBatchOptions)MemberwiseClone();
}
