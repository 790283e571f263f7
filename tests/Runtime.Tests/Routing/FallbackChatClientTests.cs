using System.Net;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PromptOps.Routing;
using PromptOps.Tests.Infrastructure;

namespace PromptOps.Tests.Routing;

public class FallbackChatClientTests
{
    private static readonly List<ChatMessage> Messages = [new(ChatRole.User, "hi")];

    private static FallbackOptions Fast() => new() { MaxRetries = 0, AttemptTimeout = Timeout.InfiniteTimeSpan };

    private static RecordingChatClient Failing(Exception e)
    {
        var c = new RecordingChatClient();
        c.Respond = (_, _, _) => throw e;
        return c;
    }

    [Fact]
    public async Task The_callers_cancellation_is_neither_retried_nor_blamed_on_the_provider()
    {
        using var cts = new CancellationTokenSource();
        var a = new RecordingChatClient();
        a.Respond = async (_, _, ct) =>
        {
            await cts.CancelAsync();
            ct.ThrowIfCancellationRequested();
            throw new InvalidOperationException("unreachable");
        };
        var b = new RecordingChatClient();
        using var chain = new FallbackChatClient([new("a", a), new("b", b)], new FallbackOptions { AttemptTimeout = Timeout.InfiniteTimeSpan });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => chain.GetResponseAsync(Messages, cancellationToken: cts.Token));
        Assert.Equal(1, a.Calls);
        Assert.Equal(0, b.Calls);
        Assert.True(chain.GetProviderStatus()[0].IsHealthy);
    }

    [Fact]
    public async Task After_the_cooldown_only_one_request_probes_while_the_others_keep_skipping()
    {
        var clock = new FakeTimeProvider();
        var probe = new TaskCompletionSource<ChatResponse>();
        var a = Failing(new HttpRequestException("no", null, HttpStatusCode.Unauthorized));
        var b = new RecordingChatClient("from b");
        using var chain = new FallbackChatClient([new("a", a), new("b", b)], Fast(), clock);
        await chain.GetResponseAsync(Messages); // a -> unhealthy
        clock.Advance(TimeSpan.FromMinutes(5));

        a.Respond = (_, _, _) => probe.Task; // the probe hangs until released
        var probing = chain.GetResponseAsync(Messages);
        var other = await chain.GetResponseAsync(Messages);
        Assert.Equal("b", other.GetProvider());
        Assert.Equal(2, a.Calls); // the first failure and the probe; the concurrent request did not call a

        probe.SetResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "a is back")));
        Assert.Equal("a", (await probing).GetProvider());
        Assert.True(chain.GetProviderStatus()[0].IsHealthy);
    }

    [Fact]
    public async Task A_failed_probe_starts_a_new_cooldown()
    {
        var clock = new FakeTimeProvider();
        var a = Failing(new HttpRequestException("no", null, HttpStatusCode.NotFound));
        using var chain = new FallbackChatClient([new("a", a), new("b", new RecordingChatClient())], Fast(), clock);
        await chain.GetResponseAsync(Messages);
        clock.Advance(TimeSpan.FromMinutes(5));
        await chain.GetResponseAsync(Messages); // the probe fails
        Assert.Equal(2, a.Calls);
        Assert.Equal(clock.GetUtcNow() + TimeSpan.FromMinutes(5), chain.GetProviderStatus()[0].UnhealthyUntil);
        await chain.GetResponseAsync(Messages);
        Assert.Equal(2, a.Calls);
    }

    [Fact]
    public async Task Each_provider_gets_its_own_model_id()
    {
        var a = Failing(new HttpRequestException("busy", null, HttpStatusCode.ServiceUnavailable));
        var azure = new RecordingChatClient();
        using var chain = new FallbackChatClient(
            [new("openai", a), new("azure", azure, new Dictionary<string, string> { ["gpt-4o"] = "prod-4o" })], Fast());
        var options = new ChatOptions { ModelId = "gpt-4o" };
        await chain.GetResponseAsync(Messages, options);
        Assert.Equal("gpt-4o", a.Received.Single().Options!.ModelId);
        Assert.Equal("prod-4o", azure.Received.Single().Options!.ModelId);
        Assert.Equal("gpt-4o", options.ModelId); // the caller's options are not changed
    }

    [Fact]
    public async Task A_custom_classifier_can_make_an_error_retryable()
    {
        var attempts = 0;
        var a = new RecordingChatClient();
        var ok = a.Respond;
        a.Respond = (m, o, ct) => ++attempts == 1 ? throw new InvalidOperationException("flaky SDK") : ok(m, o, ct);
        var options = new FallbackOptions
        {
            MaxRetries = 1, BaseDelay = TimeSpan.FromMilliseconds(1), UseJitter = false, AttemptTimeout = Timeout.InfiniteTimeSpan,
            Classifier = e => e is InvalidOperationException ? ProviderErrorKind.Transient : null,
        };
        using var chain = new FallbackChatClient([new("a", a)], options, TimeProvider.System);
        await chain.GetResponseAsync(Messages);
        Assert.Equal(2, a.Calls);
    }

    [Theory]
    [InlineData(429, ProviderErrorKind.Transient)]
    [InlineData(503, ProviderErrorKind.Transient)]
    [InlineData(408, ProviderErrorKind.Transient)]
    [InlineData(401, ProviderErrorKind.Unhealthy)]
    [InlineData(403, ProviderErrorKind.Unhealthy)]
    [InlineData(404, ProviderErrorKind.Unhealthy)]
    [InlineData(400, ProviderErrorKind.Rejected)]
    [InlineData(413, ProviderErrorKind.Rejected)]
    public void Status_codes_are_classified(int status, ProviderErrorKind kind)
    {
        Assert.Equal(kind, ProviderErrors.KindOf(status));
        Assert.Equal(kind, ProviderErrors.Classify(new HttpRequestException("x", null, (HttpStatusCode)status)).Kind);
    }

    [Fact]
    public void Retry_After_parses_seconds_and_http_dates()
    {
        var now = new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
        Assert.Equal(TimeSpan.FromSeconds(7), ProviderErrors.ParseRetryAfter("7", now));
        Assert.Equal(TimeSpan.FromSeconds(30), ProviderErrors.ParseRetryAfter("Thu, 01 Jan 2026 12:00:30 GMT", now));
        Assert.Equal(TimeSpan.Zero, ProviderErrors.ParseRetryAfter("Thu, 01 Jan 2026 11:00:00 GMT", now));
        Assert.Null(ProviderErrors.ParseRetryAfter("soon", now));
        Assert.Null(ProviderErrors.ParseRetryAfter("-3", now));
    }

    [Fact]
    public void Bad_options_and_chains_are_refused_by_name()
    {
        var errors = new FallbackOptions
        {
            MaxRetries = -1, BaseDelay = TimeSpan.Zero, AttemptTimeout = TimeSpan.Zero, UnhealthyCooldown = TimeSpan.FromSeconds(-1),
            Providers = ["primary", "x", "X"],
        }.GetErrors().ToList();
        Assert.Contains(errors, e => e.Contains("MaxRetries is -1", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("BaseDelay is 00:00:00", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("AttemptTimeout is 00:00:00", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("UnhealthyCooldown is -00:00:01", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("lists 'primary', the primary provider's name", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("lists 'x' more than once", StringComparison.Ordinal));
        Assert.Throws<ArgumentException>(() => new FallbackChatClient([]));
        var dup = Assert.Throws<ArgumentException>(() => new FallbackChatClient([new("a", new RecordingChatClient()), new("A", new RecordingChatClient())]));
        Assert.Contains("'a' is used more than once", dup.Message, StringComparison.Ordinal);
    }
}

public class RoutingCompositionTests
{
    [Fact]
    public void UsePromptOps_adds_no_cascade_and_no_fallback_unless_configured()
    {
        using var client = new ChatClientBuilder(new RecordingChatClient()).UsePromptOps().Build();
        Assert.Null(client.GetService<CascadeChatClient>());
        Assert.Null(client.GetService<FallbackChatClient>());
        Assert.NotNull(client.GetService<TierRoutingChatClient>());
    }

    [Fact]
    public async Task Configuration_turns_on_the_cascade_and_a_fallback_to_a_keyed_provider()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PromptOps:Cascade:Enabled"] = "true",
            ["PromptOps:Cascade:Levels:0"] = "fast_cheap",
            ["PromptOps:Cascade:Levels:1"] = "high_quality",
            ["PromptOps:Fallback:Enabled"] = "true",
            ["PromptOps:Fallback:MaxRetries"] = "0",
            ["PromptOps:Fallback:Providers:0"] = "backup",
        }).Build();
        var primary = new RecordingChatClient();
        primary.Respond = (_, _, _) => throw new HttpRequestException("down", null, HttpStatusCode.BadGateway);
        var backup = new RecordingChatClient("positive");
        var services = new ServiceCollection();
        services.AddPromptOps(config.GetSection("PromptOps"), o => o.Cascade.DefaultEvaluator = CascadeEvaluators.OneOf("positive"));
        services.AddKeyedChatClient("backup", backup);
        services.AddChatClient(primary).UsePromptOps();
        await using var sp = services.BuildServiceProvider();
        var client = sp.GetRequiredService<IChatClient>();

        Assert.Equal(["gpt-4o-mini", "gpt-4.1"], client.GetService<CascadeChatClient>()!.LevelModels);
        Assert.Equal(["primary", "backup"], client.GetService<FallbackChatClient>()!.Providers.Select(p => p.Name));
        var response = await client.GetResponseAsync("Classify: great");
        Assert.Equal("positive", response.Text);
        Assert.Equal("backup", response.GetProvider());
        Assert.Equal(0, response.GetCascadeLevel());
    }

    [Fact]
    public void A_fallback_provider_that_is_not_registered_is_named_in_the_error()
    {
        var services = new ServiceCollection();
        services.AddPromptOps(o =>
        {
            o.Fallback.Enabled = true;
            o.Fallback.Providers = ["missing"];
        });
        services.AddChatClient(new RecordingChatClient()).UsePromptOps();
        using var sp = services.BuildServiceProvider();
        var e = Assert.Throws<InvalidOperationException>(() => sp.GetRequiredService<IChatClient>());
        Assert.Contains("'missing'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_routing_options_fail_at_start_up_naming_the_value()
    {
        var services = new ServiceCollection();
        services.AddPromptOps(o => o.Cascade.Levels = ["gpt-4o", "GPT-4o"]);
        using var sp = services.BuildServiceProvider();
        var e = Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<IOptions<PromptOpsOptions>>().Value);
        Assert.Contains("PromptOps:Cascade:Levels lists 'gpt-4o' more than once", e.Message, StringComparison.Ordinal);
    }
}
