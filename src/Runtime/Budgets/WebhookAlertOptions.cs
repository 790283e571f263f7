using System.Globalization;

namespace PromptOps.Budgets;

/// <summary>
/// Budget alerts posted to a webhook (<c>PromptOps:Budget:Webhook</c>): on when <see cref="Url"/> is set. Each alert is a
/// JSON POST, retried with exponential back-off on network errors, timeouts, 408, 429 and 5xx, and signed when
/// <see cref="Secret"/> is set (see <see cref="WebhookBudgetAlertSink"/>).
/// </summary>
public sealed class WebhookAlertOptions
{
    /// <summary>The absolute http(s) address alerts are posted to; null: no webhook.</summary>
    public Uri? Url { get; set; }

    /// <summary>
    /// The shared secret of the <c>X-PromptOps-Signature</c> header: <c>sha256=</c> and the hex HMAC-SHA256 of
    /// <c>{timestamp}.{body}</c> with this key (the timestamp is the <c>X-PromptOps-Timestamp</c> header). Null: unsigned.
    /// </summary>
    public string? Secret { get; set; }

    /// <summary>Attempts per alert, the first included. Default: 6.</summary>
    public int MaxAttempts { get; set; } = 6;

    /// <summary>The wait before the first retry; doubled for each next one (a server's Retry-After wins when longer). Default: 1 second.</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long one attempt may take. Default: 10 seconds.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Alerts waiting for delivery at most; an alert beyond it is logged and counted as dropped. Default: 1,000.</summary>
    public int QueueCapacity { get; set; } = 1000;

    /// <summary>True when <see cref="Url"/> is set.</summary>
    public bool IsConfigured => Url is not null;

    /// <summary>The problems with these options; empty when valid.</summary>
    public IEnumerable<string> GetErrors()
    {
        if (Url is { } url && (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)))
        {
            yield return $"PromptOps:Budget:Webhook:Url must be an absolute http or https address, but is '{url}'.";
        }

        if (Secret is { Length: 0 }) yield return "PromptOps:Budget:Webhook:Secret is empty: remove it for unsigned alerts, or set a secret.";
        if (MaxAttempts is < 1 or > 20) yield return string.Create(CultureInfo.InvariantCulture, $"PromptOps:Budget:Webhook:MaxAttempts must be in [1, 20], but is {MaxAttempts}.");
        if (FirstRetryDelay < TimeSpan.Zero) yield return $"PromptOps:Budget:Webhook:FirstRetryDelay must not be negative, but is {FirstRetryDelay}.";
        if (Timeout <= TimeSpan.Zero) yield return $"PromptOps:Budget:Webhook:Timeout must be positive, but is {Timeout}.";
        if (QueueCapacity < 1) yield return string.Create(CultureInfo.InvariantCulture, $"PromptOps:Budget:Webhook:QueueCapacity must be positive, but is {QueueCapacity}.");
    }

    /// <summary>A copy.</summary>
    internal WebhookAlertOptions Clone() => (WebhookAlertOptions)MemberwiseClone();
}
