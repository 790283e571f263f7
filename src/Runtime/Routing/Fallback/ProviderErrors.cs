using System.ClientModel;
using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using Polly.Timeout;

namespace PromptOps.Routing;

/// <summary>
/// The built-in classification of provider errors. Understands <see cref="ClientResultException"/> (the OpenAI and
/// Azure .NET clients: status and headers), <see cref="HttpRequestException"/> (status), Polly's
/// <see cref="TimeoutRejectedException"/>, network and JSON errors.
/// </summary>
internal static class ProviderErrors
{
    /// <summary>Classifies <paramref name="exception"/>; <see cref="ProviderErrorKind.Rejected"/> for anything unknown.</summary>
    public static ProviderError Classify(Exception exception, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(exception);
        switch (exception)
        {
            case ClientResultException c:
                return c.Status == 0
                    ? new ProviderError(ProviderErrorKind.Transient, null, null) // no response at all: the network
                    : FromStatus(c.Status, ReadRetryAfter(c, timeProvider ?? TimeProvider.System));
            case HttpRequestException h:
                return h.StatusCode is { } s ? FromStatus((int)s, null) : new ProviderError(ProviderErrorKind.Transient, null, null);
            case TimeoutRejectedException or TimeoutException or TaskCanceledException or IOException or SocketException:
                return new ProviderError(ProviderErrorKind.Transient, null, null);
            case JsonException or FormatException:
                return new ProviderError(ProviderErrorKind.Unhealthy, null, null);
            default:
                // A malformed body surfaces from some clients wrapped (e.g. InvalidOperationException around a JsonException).
                return exception.InnerException is { } inner and (JsonException or FormatException)
                    ? new ProviderError(ProviderErrorKind.Unhealthy, null, null)
                    : new ProviderError(ProviderErrorKind.Rejected, null, null);
        }
    }

    /// <summary>The kind of error an HTTP status means.</summary>
    public static ProviderErrorKind KindOf(int status) => status switch
    {
        408 or 425 or 429 or >= 500 => ProviderErrorKind.Transient,
        400 or 409 or 413 or 422 => ProviderErrorKind.Rejected,
        _ => ProviderErrorKind.Unhealthy, // 401, 402, 403, 404 and other 4xx
    };

    private static ProviderError FromStatus(int status, TimeSpan? retryAfter) => new(KindOf(status), status, retryAfter);

    private static TimeSpan? ReadRetryAfter(ClientResultException e, TimeProvider time)
    {
        var headers = e.GetRawResponse()?.Headers;
        if (headers is null) return null;
        if (headers.TryGetValue("retry-after-ms", out var ms) && double.TryParse(ms, NumberStyles.Float, CultureInfo.InvariantCulture, out var msValue) && msValue >= 0)
            return TimeSpan.FromMilliseconds(msValue);
        if (!headers.TryGetValue("Retry-After", out var value) || string.IsNullOrWhiteSpace(value)) return null;
        return ParseRetryAfter(value, time.GetUtcNow());
    }

    /// <summary>Parses a <c>Retry-After</c> value: delta-seconds or an HTTP date (RFC 9110); null when it is neither.</summary>
    public static TimeSpan? ParseRetryAfter(string value, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(value);
        var v = value.Trim();
        if (double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
            return seconds >= 0 ? TimeSpan.FromSeconds(seconds) : null;
        if (DateTimeOffset.TryParseExact(v, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
        {
            var delta = date - now;
            return delta > TimeSpan.Zero ? delta : TimeSpan.Zero;
        }

        return null;
    }

    internal static string Describe(Exception e, ProviderError error) =>
        error.StatusCode is { } s ? $"HTTP {s} ({e.GetType().Name})" : e.GetType().Name;
}
