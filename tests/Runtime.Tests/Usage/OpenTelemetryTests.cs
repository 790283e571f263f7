using System.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using PromptOps.Budgets;
using PromptOps.Caching;
using PromptOps.CodeGen;
using PromptOps.Plans;
using PromptOps.Tests.Infrastructure;
using PromptOps.Usage;

namespace PromptOps.Tests.Usage;

/// <summary>
/// PromptOps next to Microsoft.Extensions.AI's <c>UseOpenTelemetry()</c>, collected by the OpenTelemetry SDK's in-memory
/// exporter: no metric comes from two meters, the PromptOps attributes are on the request's span, and the cost figures
/// are the ledger's. Other tests use the meter and the activity source <c>PromptOps</c> at the same time, so this one
/// reads only what carries its own prompt id, and gives the platform's client a source name of its own.
/// </summary>
public sealed class OpenTelemetryTests : IDisposable
{
    private readonly string _promptId = "Telemetry.Classify." + Guid.NewGuid().ToString("N");
    private readonly string _genAiSource = "PromptOps.Tests.GenAI." + Guid.NewGuid().ToString("N");
    private readonly List<MetricSnapshot> _metrics = [];
    private readonly List<Activity> _spans = [];
    private readonly MeterProvider _meterProvider;
    private readonly TracerProvider _tracerProvider;

    public OpenTelemetryTests()
    {
        _meterProvider = Sdk.CreateMeterProviderBuilder().AddMeter(PromptOpsMetrics.MeterName, _genAiSource, Outermost).AddInMemoryExporter(_metrics).Build();
        _tracerProvider = Sdk.CreateTracerProviderBuilder().AddSource(PromptOpsMetrics.ActivitySourceName, _genAiSource).AddInMemoryExporter(_spans).Build();
    }

    /// <summary>The source name of the platform's client placed outermost (the order the README advises against).</summary>
    private string Outermost => _genAiSource + ".outermost";

    public void Dispose()
    {
        _meterProvider.Dispose();
        _tracerProvider.Dispose();
    }

    private ChatOptions Meta(string? userId = "user-1", int? maxOutputTokens = null) =>
        new ChatOptions { MaxOutputTokens = maxOutputTokens }.WithPromptOps(new PromptOpsMetadata { PromptId = _promptId, Task = "classification", UserId = userId });

    private static List<ChatMessage> Ask(string text) => [new(ChatRole.User, text)];

    /// <summary><c>.UsePromptOps().UseOpenTelemetry()</c>: the platform's client innermost, as the README says.</summary>
    private ServiceProvider Pipeline(IChatClient provider, InMemoryUsageSink sink, Action<PromptOpsOptions>? configure = null)
    {
        var services = new ServiceCollection().AddMetrics();
        services.AddPromptOps(configure);
        services.AddSingleton<IUsageSink>(sink);
        services.AddChatClient(provider).UsePromptOps().UseOpenTelemetry(sourceName: _genAiSource);
        return services.BuildServiceProvider();
    }

    private List<Activity> PromptOpsSpans() =>
        _spans.Where(a => a.Source.Name == PromptOpsMetrics.ActivitySourceName && (string?)a.GetTagItem("promptops.prompt_id") == _promptId).ToList();

    /// <summary>The sum of a PromptOps counter over the points of this test's prompt id (other tests share the meter).</summary>
    private double Sum(string instrument, Func<Dictionary<string, object?>, bool>? where = null)
    {
        var total = 0d;
        foreach (var metric in _metrics.Where(m => m.MeterName == PromptOpsMetrics.MeterName && m.Name == instrument))
        {
            foreach (var point in metric.MetricPoints)
            {
                var tags = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var tag in point.Tags) tags[tag.Key] = tag.Value;
                if (!Equals(tags.GetValueOrDefault("promptops.prompt_id"), _promptId) || (where is not null && !where(tags))) continue;
                total += metric.MetricType == MetricType.DoubleSum ? point.GetSumDouble() : point.GetSumLong();
            }
        }

        return total;
    }

    [Fact]
    public async Task UseOpenTelemetry_inside_UsePromptOps_gives_one_series_per_metric_and_the_ledgers_cost_on_the_PromptOps_span()
    {
        var sink = new InMemoryUsageSink();
        var provider = new RecordingChatClient(model: "gpt-4o-mini", input: 2_000, output: 10);
        await using (var services = Pipeline(provider, sink))
        {
            var client = services.GetRequiredService<IChatClient>();
            await client.GetResponseAsync(Ask("Classify: my card was charged twice"), Meta());
            await client.GetResponseAsync(Ask("Classify: my card was charged twice"), Meta()); // an L1 hit
            await client.GetResponseAsync(Ask("Classify: the app crashes on start"), Meta());
        }

        _meterProvider.ForceFlush();
        _tracerProvider.ForceFlush();
        Assert.Equal(2, provider.Calls);

        // No duplicate series: every metric name comes from one meter, and gen_ai.* only from the platform's.
        var byName = _metrics.GroupBy(m => m.Name).ToDictionary(g => g.Key, g => g.Select(m => m.MeterName).Distinct().ToList());
        Assert.All(byName, kv => Assert.True(kv.Value.Count == 1, $"{kv.Key} comes from the meters {string.Join(", ", kv.Value)}"));
        Assert.Equal([_genAiSource], byName["gen_ai.client.token.usage"]);
        Assert.Equal([_genAiSource], byName["gen_ai.client.operation.duration"]);
        Assert.DoesNotContain(_metrics, m => m.MeterName == PromptOpsMetrics.MeterName && m.Name.StartsWith("gen_ai.", StringComparison.Ordinal));
        Assert.Equal([PromptOpsMetrics.MeterName], byName["promptops.chat.requests"]);

        // The ledger, the metrics and the spans tell the same cost.
        var records = sink.Snapshot();
        Assert.Equal([CacheLayer.None, CacheLayer.Memory, CacheLayer.None], records.Select(r => r.CacheLayer));
        var spent = records.Sum(r => r.CostUsd!.Value);
        var saved = records.Sum(r => r.CostSavedUsd!.Value);
        Assert.True(spent > 0m && saved > 0m);
        Assert.Equal((double)spent, Sum("promptops.cost.spent"), 12);
        Assert.Equal((double)saved, Sum("promptops.cost.saved"), 12);
        Assert.Equal(3, Sum("promptops.chat.requests", t => Equals(t["promptops.outcome"], "success")));
        Assert.Equal(1, Sum("promptops.chat.requests", t => Equals(t["promptops.cache.layer"], "l1")));

        var spans = PromptOpsSpans();
        Assert.Equal(3, spans.Count);
        for (var i = 0; i < 3; i++)
        {
            var span = spans[i];
            Assert.Equal("promptops.chat", span.OperationName);
            Assert.Equal(ActivityKind.Internal, span.Kind);
            Assert.Equal((double)records[i].CostUsd!.Value, (double)span.GetTagItem("promptops.cost.usd")!, 12);
            Assert.Equal((double)records[i].CostSavedUsd!.Value, (double)span.GetTagItem("promptops.cost.saved_usd")!, 12);
            Assert.Equal(true, span.GetTagItem("promptops.cost.priced"));
            Assert.Equal("success", span.GetTagItem("promptops.outcome"));
            Assert.Equal("fast_cheap", span.GetTagItem("promptops.tier"));
            Assert.Equal("classification", span.GetTagItem("promptops.task"));
            Assert.Equal(records[i].ModelId, span.GetTagItem("gen_ai.response.model"));
        }

        Assert.Equal(["none", "l1", "none"], spans.Select(s => (string?)s.GetTagItem("promptops.cache.layer")));

        // The platform's chat spans: one per provider call, each a child of its request's PromptOps span; none for the hit.
        var chats = _spans.Where(a => a.Source.Name == _genAiSource).ToList();
        Assert.Equal(2, chats.Count);
        Assert.Equal([spans[0].SpanId, spans[2].SpanId], chats.Select(c => c.ParentSpanId));
        Assert.All(chats, c => Assert.Equal("gpt-4o-mini", c.GetTagItem("gen_ai.request.model")));
    }

    [Fact]
    public async Task Budget_and_plan_refusals_and_the_budget_settle_are_on_the_span_and_in_the_request_counter()
    {
        var sink = new InMemoryUsageSink();
        var provider = new RecordingChatClient(model: "gpt-4o-mini", input: 100, output: 5);
        await using (var services = Pipeline(provider, sink, o =>
        {
            // A classification reserves 10 output tokens (under $0.00001 with gpt-4o-mini); asking for 100,000 (or the free
            // plan's 500, should the plan lower it) reserves more than the day's $0.0001.
            o.Budget.DailyLimitUsd = 0.0001m;
            o.Plans.Enabled = true;
            o.Plans.RequireUserId = true;
        }))
        {
            var client = services.GetRequiredService<IChatClient>();
            await client.GetResponseAsync(Ask("Classify: refund please"), Meta());
            await Assert.ThrowsAsync<BudgetExceededException>(() => client.GetResponseAsync(Ask("Classify: a long one"), Meta(maxOutputTokens: 100_000)));
            await Assert.ThrowsAsync<PlanLimitException>(() => client.GetResponseAsync(Ask("Classify: who am I"), Meta(userId: null)));
        }

        _meterProvider.ForceFlush();
        _tracerProvider.ForceFlush();
        Assert.Equal(1, provider.Calls);

        var spans = PromptOpsSpans();
        Assert.Equal(3, spans.Count);
        Assert.Equal("success", spans[0].GetTagItem("promptops.outcome"));
        Assert.Equal("reported", spans[0].GetTagItem("promptops.budget.settle"));
        Assert.Null(spans[0].GetTagItem("promptops.budget.outcome"));

        Assert.Equal("refused", spans[1].GetTagItem("promptops.outcome"));
        Assert.Equal("budget.daily", spans[1].GetTagItem("promptops.limit"));
        Assert.Equal("refused", spans[1].GetTagItem("promptops.budget.outcome"));
        Assert.Null(spans[1].GetTagItem("promptops.plan.outcome"));
        Assert.Equal(ActivityStatusCode.Error, spans[1].Status);

        Assert.Equal("refused", spans[2].GetTagItem("promptops.outcome"));
        Assert.Equal("plan.user_required", spans[2].GetTagItem("promptops.limit"));
        Assert.Equal("refused", spans[2].GetTagItem("promptops.plan.outcome"));
        Assert.Null(spans[2].GetTagItem("promptops.budget.outcome"));

        Assert.Equal(1, Sum("promptops.chat.requests", t => Equals(t.GetValueOrDefault("promptops.budget.outcome"), "refused") && Equals(t["promptops.limit"], "budget.daily")));
        Assert.Equal(1, Sum("promptops.chat.requests", t => Equals(t.GetValueOrDefault("promptops.plan.outcome"), "refused") && Equals(t["promptops.limit"], "plan.user_required")));
        Assert.Equal(1, Sum("promptops.chat.requests", t => Equals(t["promptops.outcome"], "success")));

        // The refused requests reached no provider: the platform saw one chat call.
        Assert.Single(_spans, a => a.Source.Name == _genAiSource);
        Assert.Equal([UsageOutcome.Success, UsageOutcome.Refused, UsageOutcome.Refused], sink.Snapshot().Select(r => r.Outcome));
    }

    [Fact]
    public async Task An_escalated_request_is_one_PromptOps_span_over_one_platform_span_per_tier_tried()
    {
        string[] labels = ["Billing", "Technical"];
        DayOfWeek[] values = [DayOfWeek.Monday, DayOfWeek.Tuesday]; // any enum: only the labels are checked here
        var sink = new InMemoryUsageSink();
        var provider = new RecordingChatClient();
        provider.Respond = (_, o, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant,
            o!.ModelId == "claude-haiku-4-5" ? "Billing" : "I think this could be about several things."))
        {
            ModelId = o.ModelId,
            Usage = new UsageDetails { InputTokenCount = 100, OutputTokenCount = 8, TotalTokenCount = 108 },
        });
        var options = new ChatOptions().WithPromptOps(new PromptOpsMetadata
        {
            PromptId = _promptId,
            Task = "classification",
            StructuredReply = true,
            ReplyValidator = r => PromptCall.CheckEnum(r, labels, values),
        });
        await using (var services = Pipeline(provider, sink, o => o.Budget.DailyLimitUsd = 10m))
        {
            await services.GetRequiredService<IChatClient>().GetResponseAsync(Ask("Classify: charged twice"), options);
        }

        _tracerProvider.ForceFlush();
        var record = Assert.Single(sink.Snapshot());
        Assert.Equal(1, record.Escalations);
        var span = Assert.Single(PromptOpsSpans());
        Assert.Equal(1, span.GetTagItem("promptops.escalations"));
        Assert.Equal((double)record.CostUsd!.Value, (double)span.GetTagItem("promptops.cost.usd")!, 12);
        Assert.Equal("claude-haiku-4-5", span.GetTagItem("gen_ai.response.model"));
        Assert.Equal("reported", span.GetTagItem("promptops.budget.settle"));

        var chats = _spans.Where(a => a.Source.Name == _genAiSource).ToList();
        Assert.Equal(["gpt-4o-mini", "claude-haiku-4-5"], chats.Select(c => (string?)c.GetTagItem("gen_ai.request.model")));
        Assert.All(chats, c => Assert.Equal(span.SpanId, c.ParentSpanId));
    }

    [Fact]
    public async Task A_streamed_request_gets_its_span_with_the_ledgers_cost_when_the_stream_ends()
    {
        var sink = new InMemoryUsageSink();
        var provider = new RecordingChatClient(model: "gpt-4o-mini", input: 1_000, output: 10);
        await using (var services = Pipeline(provider, sink, o => o.Budget.DailyLimitUsd = 10m))
        {
            var client = services.GetRequiredService<IChatClient>();
            for (var i = 0; i < 2; i++)
            {
                await foreach (var update in client.GetStreamingResponseAsync(Ask("Classify: streamed"), Meta()))
                {
                    Assert.NotNull(update);
                }
            }
        }

        _meterProvider.ForceFlush();
        _tracerProvider.ForceFlush();
        var records = sink.Snapshot();
        Assert.Equal([CacheLayer.None, CacheLayer.Memory], records.Select(r => r.CacheLayer));
        var spans = PromptOpsSpans();
        Assert.Equal(2, spans.Count);
        Assert.Equal(["none", "l1"], spans.Select(s => (string?)s.GetTagItem("promptops.cache.layer")));
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal((double)records[i].CostUsd!.Value, (double)spans[i].GetTagItem("promptops.cost.usd")!, 12);
            Assert.Equal((double)records[i].CostSavedUsd!.Value, (double)spans[i].GetTagItem("promptops.cost.saved_usd")!, 12);
        }

        Assert.Equal("reported", spans[0].GetTagItem("promptops.budget.settle")); // settled inside, at the end of the stream
        Assert.Null(spans[1].GetTagItem("promptops.budget.settle")); // a hit reserves nothing
        Assert.Equal(spans[0].SpanId, Assert.Single(_spans, a => a.Source.Name == _genAiSource).ParentSpanId);
        Assert.Equal((double)records.Sum(r => r.CostUsd!.Value), Sum("promptops.cost.spent"), 12);
    }

    /// <summary>Input tokens in the platform's <c>gen_ai.client.token.usage</c>.</summary>
    private double PlatformInputTokens(string source)
    {
        var total = 0d;
        foreach (var metric in _metrics.Where(m => m.MeterName == source && m.Name == "gen_ai.client.token.usage"))
        {
            foreach (var point in metric.MetricPoints)
            {
                foreach (var tag in point.Tags)
                {
                    if (tag.Key == "gen_ai.token.type" && Equals(tag.Value, "input")) total += point.GetHistogramSum();
                }
            }
        }

        return total;
    }

    [Fact]
    public async Task Why_innermost_outside_UsePromptOps_the_platform_counts_a_cache_hits_tokens_as_used()
    {
        // The order the README advises against: the platform's client outermost sees the hit's cached usage as a call.
        var sink = new InMemoryUsageSink();
        var provider = new RecordingChatClient(model: "gpt-4o-mini", input: 2_000, output: 10);
        var services = new ServiceCollection().AddMetrics();
        services.AddPromptOps();
        services.AddSingleton<IUsageSink>(sink);
        services.AddChatClient(provider).UseOpenTelemetry(sourceName: Outermost).UsePromptOps();
        await using (var sp = services.BuildServiceProvider())
        {
            var client = sp.GetRequiredService<IChatClient>();
            await client.GetResponseAsync(Ask("Classify: outermost"), Meta());
            await client.GetResponseAsync(Ask("Classify: outermost"), Meta());
        }

        // Innermost (as advised), the same two calls count the billed 2,000.
        var inner = new RecordingChatClient(model: "gpt-4o-mini", input: 2_000, output: 10);
        await using (var sp = Pipeline(inner, new InMemoryUsageSink()))
        {
            var client = sp.GetRequiredService<IChatClient>();
            await client.GetResponseAsync(Ask("Classify: innermost"), Meta());
            await client.GetResponseAsync(Ask("Classify: innermost"), Meta());
        }

        _meterProvider.ForceFlush();
        Assert.Equal(1, provider.Calls);
        Assert.Equal(4_000, PlatformInputTokens(Outermost)); // billed: 2,000
        Assert.Equal(1, inner.Calls);
        Assert.Equal(2_000, PlatformInputTokens(_genAiSource));
    }

    [Fact]
    public async Task A_budget_downgrade_is_the_budget_outcome_of_the_span_and_the_request_counter()
    {
        // The downgrade layer marks the response it lowered (PromptOpsResponseFeatures.DowngradedFrom); the meter reads it.
        var provider = new RecordingChatClient(model: "gpt-4o-mini");
        var answer = provider.Respond;
        provider.Respond = async (m, o, ct) =>
        {
            var response = await answer(m, o, ct);
            PromptOpsResponseFeatures.Of(response).DowngradedFrom = "high_quality";
            return response;
        };
        using var meter = new UsageMeterChatClient(provider);
        await meter.GetResponseAsync(Ask("Classify: downgraded"), Meta());

        _meterProvider.ForceFlush();
        _tracerProvider.ForceFlush();
        var span = Assert.Single(PromptOpsSpans());
        Assert.Equal("downgraded", span.GetTagItem("promptops.budget.outcome"));
        Assert.Equal("high_quality", span.GetTagItem("promptops.budget.downgraded_from"));
        Assert.Equal(1, Sum("promptops.chat.requests", t => Equals(t.GetValueOrDefault("promptops.budget.outcome"), "downgraded")));
    }
}
