using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace PromptOps.Budgets;

/// <summary>
/// Posts budget alerts to a webhook: <see cref="PublishAsync"/> queues the alert and returns at once; a background loop
/// posts each one as JSON (<c>application/json</c>, camelCase fields of <see cref="BudgetAlert"/>, enums as names) with the
/// headers <c>X-PromptOps-Event: budget.alert</c>, <c>X-PromptOps-Delivery</c> (one id per alert, the same on every
/// retry, for the receiver to drop duplicates), <c>X-PromptOps-Timestamp</c> (Unix seconds) and, with a secret,
/// <c>X-PromptOps-Signature: sha256=…</c>. Network errors, timeouts, 408, 429 and 5xx are retried with exponential
/// back-off up to <see cref="WebhookAlertOptions.MaxAttempts"/>; other statuses are not (the receiver refused it). An
/// alert that is given up is logged (event 3011).
/// </summary>
public sealed class WebhookBudgetAlertSink : IBudgetAlertSink, IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly WebhookAlertOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<BudgetAlert> _queue;
    private readonly Task _loop;
    private readonly CancellationTokenSource _stopping = new();
    private int _pending;
    private long _delivered;
    private long _failed;

    /// <summary>Creates the sink; <paramref name="http"/> null: one of its own.</summary>
    public WebhookBudgetAlertSink(WebhookAlertOptions options, HttpClient? http = null, TimeProvider? timeProvider = null, ILogger<WebhookBudgetAlertSink>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.GetErrors().ToList();
        if (!options.IsConfigured) errors.Add("PromptOps:Budget:Webhook:Url is not set.");
        if (errors.Count > 0) throw new ArgumentException(string.Join(Environment.NewLine, errors), nameof(options));
        _options = options.Clone();
        _ownsHttp = http is null;
        _http = http ?? new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _queue = Channel.CreateBounded<BudgetAlert>(new BoundedChannelOptions(_options.QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Alerts posted successfully.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Alerts given up (attempts exhausted, refused by the receiver, or the queue full).</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <inheritdoc />
    public ValueTask PublishAsync(BudgetAlert alert, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alert);
        Interlocked.Increment(ref _pending);
        if (!_queue.Writer.TryWrite(alert))
        {
            Interlocked.Decrement(ref _pending);
            Interlocked.Increment(ref _failed);
            BudgetLog.WebhookGaveUp(_logger, _options.Url!, alert.Scope, alert.ScopeId ?? "", alert.ThresholdPercent, "the delivery queue is full", null);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Waits until every alert queued so far is delivered or given up.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        while (Volatile.Read(ref _pending) > 0) await Task.Delay(10, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Delivers what is queued (each alert still gets its attempts), then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
        _stopping.Dispose();
        if (_ownsHttp) _http.Dispose();
    }

    private async Task RunAsync()
    {
        await foreach (var alert in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                await DeliverAsync(alert).ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Decrement(ref _pending);
            }
        }
    }

    private async Task DeliverAsync(BudgetAlert alert)
    {
        var body = JsonSerializer.Serialize(alert, Json);
        var delivery = Guid.NewGuid().ToString("N");
        var delay = _options.FirstRetryDelay;
        string why = "";
        for (var attempt = 1; attempt <= _options.MaxAttempts; attempt++)
        {
            TimeSpan? retryAfter = null;
            try
            {
                using var request = Request(body, delivery);
                using var timeout = new CancellationTokenSource(_options.Timeout, _time);
                using var response = await _http.SendAsync(request, timeout.Token).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref _delivered);
                    return;
                }

                why = string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)response.StatusCode}");
                if (!IsTransient(response.StatusCode))
                {
                    break;
                }

                retryAfter = response.Headers.RetryAfter?.Delta;
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
            {
                why = e.GetType().Name + ": " + e.Message;
            }

            if (attempt == _options.MaxAttempts) break;
            var wait = retryAfter is { } ra && ra > delay ? ra : delay;
            await Task.Delay(wait, _time).ConfigureAwait(false);
            delay += delay;
        }

        Interlocked.Increment(ref _failed);
        BudgetLog.WebhookGaveUp(_logger, _options.Url!, alert.Scope, alert.ScopeId ?? "", alert.ThresholdPercent, why, null);
    }

    private HttpRequestMessage Request(string body, string delivery)
    {
        var timestamp = _time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var request = new HttpRequestMessage(HttpMethod.Post, _options.Url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-PromptOps-Event", "budget.alert");
        request.Headers.Add("X-PromptOps-Delivery", delivery);
        request.Headers.Add("X-PromptOps-Timestamp", timestamp);
        if (_options.Secret is { } secret) request.Headers.Add("X-PromptOps-Signature", Signature(secret, timestamp, body));
        return request;
    }

    /// <summary><c>sha256=</c> and the lower-case hex HMAC-SHA256 of <c>{timestamp}.{body}</c> keyed with the UTF-8 bytes of <paramref name="secret"/>.</summary>
    public static string Signature(string secret, string timestamp, string body)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(timestamp + "." + body));
        return "sha256=" + Convert.ToHexString(mac).ToLowerInvariant();
    }

    private static bool IsTransient(HttpStatusCode status) => status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;
}
