using System.Diagnostics.Metrics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;
using PromptOps.CodeGen;
using PromptOps.Knowledge;
using PromptOps.Pricing;
using PromptOps.Routing;
using PromptOps.Tests.Infrastructure;
using PromptOps.Usage;

namespace PromptOps.Tests.Routing;

/// <summary>
/// Validate, then escalate, on a fake provider whose answer depends on the model and a fake clock: meter → escalation →
/// tier routing → provider, as <c>UsePromptOps</c> composes them.
/// </summary>
public sealed class EscalationChatClientTests : IDisposable
{
    public enum Category
    {
        Billing,
        Technical,
    }

    private static readonly string[] Labels = ["Billing", "Technical"];
    private static readonly Category[] Values = [Category.Billing, Category.Technical];
    private static readonly List<ChatMessage> Messages = [new(ChatRole.User, "My card was charged twice")];

    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly PromptOpsMetrics _metrics;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
    private readonly InMemoryUsageSink _sink = new();

    public EscalationChatClientTests() => _metrics = new PromptOpsMetrics(_services.GetRequiredService<IMeterFactory>());

    public void Dispose() => _services.Dispose();

    private static PromptOpsMetadata Meta(string version = "v1", string task = "classification") => new()
    {
        PromptId = "Tickets.Classify",
        PromptVersion = version,
        Task = task,
        StructuredReply = true,
        ReplyValidator = static r => PromptCall.CheckEnum(r, Labels, Values),
    };

    private static ChatOptions Options(PromptOpsMetadata? meta = null) => new ChatOptions { MaxOutputTokens = 10 }.WithPromptOps(meta ?? Meta());

    /// <summary>A provider that answers <paramref name="good"/> models with a label and the others with chatter.</summary>
    private static RecordingChatClient Provider(params string[] good)
    {
        var provider = new RecordingChatClient();
        provider.Respond = (_, o, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant,
            good.Contains(o!.ModelId) ? "Billing" : "I think this could be about several things."))
        {
            ModelId = o.ModelId,
            Usage = new UsageDetails { InputTokenCount = 100, OutputTokenCount = 8, TotalTokenCount = 108 },
            FinishReason = ChatFinishReason.Stop,
        });
        return provider;
    }

    private (IChatClient Client, EscalationChatClient Escalation) Pipeline(IChatClient provider, EscalationOptions? options = null)
    {
        var escalation = new EscalationChatClient(new TierRoutingChatClient(provider), options, _time, _metrics);
        return (new UsageMeterChatClient(escalation, sinks: [_sink], metrics: _metrics, timeProvider: _time), escalation);
    }

    private MetricCollector<long> Collect(string instrument) => new(_services.GetRequiredService<IMeterFactory>(), PromptOpsMetrics.MeterName, instrument);

    [Fact]
    public async Task A_reply_that_fails_on_the_cheap_tier_succeeds_on_the_next_and_every_attempt_is_metered()
    {
        using var escalations = Collect("promptops.escalations");
        using var invalid = Collect("promptops.replies.invalid");
        var provider = Provider("claude-haiku-4-5");
        var (client, _) = Pipeline(provider);

        var response = await client.GetResponseAsync(Messages, Options());

        Assert.Equal(Category.Billing, PromptCall.ParseEnum(response, Labels, Values));
        Assert.Equal(["gpt-4o-mini", "claude-haiku-4-5"], provider.Received.Select(r => r.Options!.ModelId));
        Assert.All(provider.Received, r => Assert.Equal(10, r.Options!.MaxOutputTokens)); // only the tier changes

        var record = Assert.Single(_sink.Snapshot());
        Assert.Equal(1, record.Escalations);
        Assert.True(record.Anomalies.HasFlag(UsageAnomalies.ReplyInvalid));
        Assert.Equal("claude-haiku-4-5", record.ModelId);
        Assert.Equal([false, true], record.Attempts!.Select(a => a.Passed));
        Assert.Equal([ModelTier.FastCheap, ModelTier.Balanced], record.Attempts!.Select(a => a.Tier!.Value));
        Assert.Contains("matches none of the labels", record.Attempts![0].Reason, StringComparison.Ordinal);
        var prices = new PriceCatalog();
        Assert.Equal(prices.Cost("gpt-4o-mini", 100, 0, 8).Usd!.Value + prices.Cost("claude-haiku-4-5", 100, 0, 8).Usd!.Value, record.CostUsd);
        Assert.Equal(200, record.InputTokens);

        var escalation = Assert.Single(escalations.GetMeasurementSnapshot());
        Assert.Equal("fast_cheap", escalation.Tags["promptops.escalation.from_tier"]);
        Assert.Equal("balanced", escalation.Tags["promptops.escalation.to_tier"]);
        Assert.Equal("reply_invalid", escalation.Tags["promptops.escalation.reason"]);
        Assert.Equal("Tickets.Classify", escalation.Tags["promptops.prompt_id"]);
        Assert.Equal("gpt-4o-mini", Assert.Single(invalid.GetMeasurementSnapshot()).Tags["gen_ai.response.model"]);
    }

    [Fact]
    public async Task The_tier_that_passed_is_remembered_per_prompt_version_for_a_while()
    {
        var provider = Provider("claude-haiku-4-5");
        var (client, escalation) = Pipeline(provider, new EscalationOptions { RememberFor = TimeSpan.FromMinutes(30) });
        await client.GetResponseAsync(Messages, Options());
        Assert.Equal(ModelTier.Balanced, escalation.GetRememberedTier("Tickets.Classify", "v1"));

        // The next call starts on the tier that passed: one provider call, nothing invalid, no escalation.
        provider.Received.Clear();
        await client.GetResponseAsync(Messages, Options());
        Assert.Equal(["claude-haiku-4-5"], provider.Received.Select(r => r.Options!.ModelId));
        var second = _sink.Snapshot()[1];
        Assert.Equal(0, second.Escalations);
        Assert.Equal(UsageAnomalies.None, second.Anomalies);
        Assert.Null(second.Attempts);

        // Another version of the prompt is a new prompt: it starts on its task's tier.
        provider.Received.Clear();
        await client.GetResponseAsync(Messages, Options(Meta(version: "v2")));
        Assert.Equal(["gpt-4o-mini", "claude-haiku-4-5"], provider.Received.Select(r => r.Options!.ModelId));

        // After RememberFor the cheap tier is tried again.
        _time.Advance(TimeSpan.FromMinutes(31));
        Assert.Null(escalation.GetRememberedTier("Tickets.Classify", "v1"));
        provider.Received.Clear();
        await client.GetResponseAsync(Messages, Options());
        Assert.Equal(["gpt-4o-mini", "claude-haiku-4-5"], provider.Received.Select(r => r.Options!.ModelId));
    }

    [Fact]
    public async Task Escalation_stops_at_the_top_tier_and_the_caller_gets_the_reply_exception()
    {
        var provider = Provider(); // no model answers with a label
        var (client, escalation) = Pipeline(provider, new EscalationOptions { MaxTier = "balanced" });

        var response = await client.GetResponseAsync(Messages, Options());

        Assert.Equal(["gpt-4o-mini", "claude-haiku-4-5"], provider.Received.Select(r => r.Options!.ModelId));
        Assert.Throws<PromptReplyException>(() => PromptCall.ParseEnum(response, Labels, Values));
        var record = Assert.Single(_sink.Snapshot());
        Assert.Equal(1, record.Escalations);
        Assert.True(record.Anomalies.HasFlag(UsageAnomalies.ReplyInvalid));
        Assert.Equal([false, false], record.Attempts!.Select(a => a.Passed));
        Assert.Equal(0, escalation.RememberedCount); // nothing passed, nothing remembered
    }

    [Fact]
    public async Task The_default_top_tier_is_high_quality()
    {
        var provider = Provider();
        var (client, _) = Pipeline(provider);
        await client.GetResponseAsync(Messages, Options());
        Assert.Equal(["gpt-4o-mini", "claude-haiku-4-5", "gpt-4.1"], provider.Received.Select(r => r.Options!.ModelId));
        Assert.Equal(2, Assert.Single(_sink.Snapshot()).Escalations);
    }

    [Fact]
    public async Task A_request_at_or_above_the_top_tier_is_validated_but_not_escalated()
    {
        var provider = Provider();
        var (client, _) = Pipeline(provider);
        await client.GetResponseAsync(Messages, Options(Meta(task: "contract_analysis"))); // best
        Assert.Equal(["claude-sonnet-4-5"], provider.Received.Select(r => r.Options!.ModelId));
        var record = Assert.Single(_sink.Snapshot());
        Assert.Equal(0, record.Escalations);
        Assert.True(record.Anomalies.HasFlag(UsageAnomalies.ReplyInvalid)); // still visible in the ledger
    }

    [Fact]
    public async Task Requests_without_a_validator_or_with_an_explicit_model_pass_through()
    {
        var provider = Provider();
        var (client, _) = Pipeline(provider);
        await client.GetResponseAsync(Messages, Options(Meta() with { ReplyValidator = null }));
        var explicitModel = Options();
        explicitModel.ModelId = "gpt-4o-mini";
        await client.GetResponseAsync(Messages, explicitModel);

        Assert.Equal(["gpt-4o-mini", "gpt-4o-mini"], provider.Received.Select(r => r.Options!.ModelId));
        Assert.Equal(2, _sink.Snapshot().Count);
        Assert.All(_sink.Snapshot(), r => Assert.Equal(UsageAnomalies.None, r.Anomalies));
    }

    [Fact]
    public async Task A_failure_on_a_higher_tier_carries_the_paid_attempts_to_the_meter()
    {
        var provider = Provider();
        var inner = provider.Respond;
        provider.Respond = (m, o, c) => o!.ModelId == "claude-haiku-4-5" ? throw new HttpRequestException("down") : inner(m, o, c);
        var (client, _) = Pipeline(provider);

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetResponseAsync(Messages, Options()));
        var record = Assert.Single(_sink.Snapshot());
        Assert.Equal(UsageOutcome.Failed, record.Outcome);
        Assert.Equal(new PriceCatalog().Cost("gpt-4o-mini", 100, 0, 8).Usd, record.CostUsd); // the cheap reply was paid for
    }

    [Fact]
    public async Task A_reply_the_budget_downgraded_is_not_escalated()
    {
        var provider = Provider();
        var inner = provider.Respond;
        provider.Respond = async (m, o, c) =>
        {
            var response = await inner(m, o, c);
            PromptOpsResponseFeatures.Of(response).DowngradedFrom = "balanced";
            return response;
        };
        var (client, escalation) = Pipeline(provider);

        await client.GetResponseAsync(Messages, Options());
        Assert.Single(provider.Received);
        Assert.True(Assert.Single(_sink.Snapshot()).Anomalies.HasFlag(UsageAnomalies.ReplyInvalid));
        Assert.Equal(0, escalation.RememberedCount);
    }

    [Fact]
    public async Task Memory_is_bounded()
    {
        var provider = Provider("claude-haiku-4-5");
        var (client, escalation) = Pipeline(provider, new EscalationOptions { MaxRemembered = 2 });
        foreach (var version in new[] { "a", "b", "c", "d" })
        {
            await client.GetResponseAsync(Messages, Options(Meta(version)));
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.InRange(escalation.RememberedCount, 1, 2);
        Assert.Equal(ModelTier.Balanced, escalation.GetRememberedTier("Tickets.Classify", "d")); // the newest is kept
    }

    [Fact]
    public void Bad_options_name_the_value()
    {
        var e = Assert.Throws<ArgumentException>(() => new EscalationChatClient(Provider(), new EscalationOptions { MaxTier = "premium", MaxRemembered = 0 }));
        Assert.Contains("MaxTier 'premium'", e.Message, StringComparison.Ordinal);
        Assert.Contains("MaxRemembered must be positive", e.Message, StringComparison.Ordinal);
        Assert.Contains("RememberFor", Assert.Single(new EscalationOptions { RememberFor = TimeSpan.FromSeconds(-1) }.GetErrors()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UsePromptOps_escalates_by_default_and_can_be_turned_off()
    {
        var provider = Provider("claude-haiku-4-5");
        using var on = new ChatClientBuilder(provider).UsePromptOps().Build(new ServiceCollection().AddSingleton<IUsageSink>(_sink).BuildServiceProvider());
        var response = await on.GetResponseAsync(Messages, Options());
        Assert.Equal("Billing", response.Text);
        Assert.Equal(2, provider.Received.Count);

        provider.Received.Clear();
        using var off = new ChatClientBuilder(provider).UsePromptOps(o => o.Escalation.Enabled = false).Build();
        await off.GetResponseAsync(Messages, Options(Meta(version: "other")));
        Assert.Equal(["gpt-4o-mini"], provider.Received.Select(r => r.Options!.ModelId));
    }

    [Fact]
    public void Checks_read_replies_like_the_parsers()
    {
        static ChatResponse Reply(string text, ChatFinishReason? finish = null) => new(new ChatMessage(ChatRole.Assistant, text)) { FinishReason = finish ?? ChatFinishReason.Stop };
        Assert.Null(PromptCall.CheckBool(Reply("Yes, it is.")));
        Assert.Contains("not yes or no", PromptCall.CheckBool(Reply("Perhaps")), StringComparison.Ordinal);
        Assert.Null(PromptCall.CheckNumber<int>(Reply("42")));
        Assert.NotNull(PromptCall.CheckNumber<int>(Reply("about forty")));
        Assert.Null(PromptCall.CheckJson<Dictionary<string, int>>(Reply("{\"a\": 1}")));
        Assert.NotNull(PromptCall.CheckJson<Dictionary<string, int>>(Reply("{\"a\": ")));
        Assert.Null(PromptCall.CheckJson<Dictionary<string, int>>(Reply("{\"a\": ", ChatFinishReason.Length))); // cut off: the truncation policy's
    }
}
