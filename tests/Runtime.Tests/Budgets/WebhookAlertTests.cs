using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PromptOps.Budgets;
using PromptOps.Tests.Infrastructure;

namespace PromptOps.Tests.Budgets;

/// <summary>Budget alerts posted to a webhook on a loopback Kestrel server: body, signature, retries, give-up, DI wiring.</summary>
public sealed class WebhookAlertTests : IAsyncLifetime
{
    private WebApplication _app = null!;
    private readonly ConcurrentQueue<(Dictionary<string, string> Headers, string Body)> _received = new();
    private readonly ConcurrentQueue<int> _statuses = new();
    private Uri _url = null!;

    public async Task InitializeAsync()
    {
        _app = LoopbackApp.Create();
        _app.MapPost("/hooks/budget", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            // Copied: Kestrel reuses the header collection once the request ends.
            var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            _received.Enqueue((headers, await reader.ReadToEndAsync()));
            context.Response.StatusCode = _statuses.TryDequeue(out var status) ? status : 204;
        });
        _url = new Uri(await LoopbackApp.StartAsync(_app) + "/hooks/budget");
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static BudgetAlert Alert(int threshold = 80) => new()
    {
        Scope = BudgetScope.User,
        ScopeId = "alice",
        Window = BudgetWindow.Day,
        ThresholdPercent = threshold,
        SpentOrReservedUsd = 1.6m,
        LimitUsd = 2m,
        PeriodEnd = new DateTimeOffset(2026, 12, 4, 0, 0, 0, TimeSpan.Zero),
        At = new DateTimeOffset(2026, 12, 3, 15, 0, 0, TimeSpan.Zero),
    };

    [Fact]
    public async Task An_alert_is_posted_as_signed_json()
    {
        await using var sink = new WebhookBudgetAlertSink(new WebhookAlertOptions { Url = _url, Secret = "s3cret" });
        await sink.PublishAsync(Alert(), default);
        await sink.FlushAsync();

        var (headers, body) = Assert.Single(_received);
        using var json = JsonDocument.Parse(body);
        Assert.Equal("User", json.RootElement.GetProperty("scope").GetString());
        Assert.Equal("alice", json.RootElement.GetProperty("scopeId").GetString());
        Assert.Equal(80, json.RootElement.GetProperty("thresholdPercent").GetInt32());
        Assert.Equal(1.6m, json.RootElement.GetProperty("spentOrReservedUsd").GetDecimal());
        Assert.Equal("budget.alert", headers["X-PromptOps-Event"]);
        Assert.Equal(WebhookBudgetAlertSink.Signature("s3cret", headers["X-PromptOps-Timestamp"], body), headers["X-PromptOps-Signature"]);
        Assert.NotEqual(WebhookBudgetAlertSink.Signature("other", headers["X-PromptOps-Timestamp"], body), headers["X-PromptOps-Signature"]);
        Assert.Equal(1, sink.Delivered);
    }

    [Fact]
    public async Task Transient_failures_are_retried_with_the_same_delivery_id_and_a_refusal_is_not()
    {
        _statuses.Enqueue(503);
        _statuses.Enqueue(429);
        await using var sink = new WebhookBudgetAlertSink(new WebhookAlertOptions { Url = _url, FirstRetryDelay = TimeSpan.FromMilliseconds(10) });
        await sink.PublishAsync(Alert(), default);
        await sink.FlushAsync();
        Assert.Equal(3, _received.Count); // 503, 429, then 204
        Assert.Single(_received.Select(r => r.Headers["X-PromptOps-Delivery"]).Distinct());
        Assert.False(_received.First().Headers.ContainsKey("X-PromptOps-Signature")); // no secret: unsigned
        Assert.Equal((1L, 0L), (sink.Delivered, sink.Failed));

        // 400: the receiver refused the alert; it is given up at once.
        _statuses.Enqueue(400);
        await sink.PublishAsync(Alert(100), default);
        await sink.FlushAsync();
        Assert.Equal(4, _received.Count);
        Assert.Equal((1L, 1L), (sink.Delivered, sink.Failed));
    }

    [Fact]
    public async Task A_dead_receiver_is_given_up_after_the_attempts()
    {
        var port = Redis.RedisTestKit.FreePort(); // nothing listens there
        await using var sink = new WebhookBudgetAlertSink(new WebhookAlertOptions { Url = new Uri($"http://127.0.0.1:{port}/x"), MaxAttempts = 3, FirstRetryDelay = TimeSpan.FromMilliseconds(5) });
        await sink.PublishAsync(Alert(), default);
        await sink.FlushAsync();
        Assert.Equal((0L, 1L), (sink.Delivered, sink.Failed));
    }

    [Fact]
    public void Bad_options_are_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => new WebhookBudgetAlertSink(new WebhookAlertOptions { Url = new Uri("ftp://127.0.0.1/x"), Secret = "", MaxAttempts = 0 }));
        Assert.Contains("absolute http or https", e.Message, StringComparison.Ordinal);
        Assert.Contains("Secret is empty", e.Message, StringComparison.Ordinal);
        Assert.Contains("MaxAttempts", e.Message, StringComparison.Ordinal);
        Assert.Contains("Url is not set", Assert.Throws<ArgumentException>(() => new WebhookBudgetAlertSink(new WebhookAlertOptions())).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Configured_in_appsettings_the_webhook_gets_the_budgets_alerts()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PromptOps:Budget:Users:Default:DailyLimitUsd"] = "0.0001",
            ["PromptOps:Budget:Webhook:Url"] = _url.ToString(),
            ["PromptOps:Budget:Webhook:Secret"] = "k",
        }).Build().GetSection("PromptOps");
        var services = new ServiceCollection();
        services.AddPromptOps(config);
        var sp = services.BuildServiceProvider();
        await using (sp)
        {
            using var client = new Microsoft.Extensions.AI.ChatClientBuilder(BudgetTestKit.Provider()).UsePromptOps().Build(sp);
            using (PromptOpsContext.BeginUser("zoe"))
            {
                await Assert.ThrowsAsync<BudgetExceededException>(() => client.GetResponseAsync(BudgetTestKit.Ask(), BudgetTestKit.Gpt4o(1000)));
            }
        } // disposing the container delivers what is queued

        Assert.Equal([50, 80, 100], _received.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("thresholdPercent").GetInt32()).Order());
        Assert.All(_received, r => Assert.StartsWith("sha256=", r.Headers["X-PromptOps-Signature"], StringComparison.Ordinal));
    }
}
