using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using PromptOps.Caching;
using PromptOps.Tests.Infrastructure;
using PromptOps.Truncation;
using PromptOps.Usage;

namespace PromptOps.Tests.Truncation;

public sealed class TruncationChatClientTests
{
    private static List<ChatMessage> Ask(string text = "Explain the refund policy.") => [new(ChatRole.User, text)];

    /// <summary>A provider that cuts its answer off when the request's limit is below <paramref name="needs"/> output tokens.</summary>
    private static RecordingChatClient Provider(int needs, string answer = "Refunds are paid within 14 days of the return.")
    {
        var provider = new RecordingChatClient();
        provider.Respond = (_, o, _) =>
        {
            var limit = o?.MaxOutputTokens ?? int.MaxValue;
            var cut = limit < needs;
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, cut ? answer[..10] : answer))
            {
                ModelId = "gpt-4o-mini",
                FinishReason = cut ? ChatFinishReason.Length : ChatFinishReason.Stop,
                Usage = new UsageDetails { InputTokenCount = 100, OutputTokenCount = cut ? limit : needs, TotalTokenCount = 100 + (cut ? limit : needs) },
            });
        };
        return provider;
    }

    private static ChatOptions Options(int? limit, TruncationPolicy? policy = null, bool structured = false) =>
        new ChatOptions { MaxOutputTokens = limit }.WithPromptOps(new PromptOpsMetadata { PromptId = "Faq.Explain", OnTruncation = policy, StructuredReply = structured });

    [Fact]
    public async Task Retry_doubles_the_limit_once_and_returns_the_whole_answer_with_both_attempts_usage()
    {
        var provider = Provider(needs: 80);
        using var client = new TruncationChatClient(provider);

        var response = await client.GetResponseAsync(Ask(), Options(50, TruncationPolicy.Retry));

        Assert.Equal("Refunds are paid within 14 days of the return.", response.Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal([50, 100], provider.Received.Select(r => r.Options!.MaxOutputTokens));
        Assert.Equal((200L, 130L), (response.Usage!.InputTokenCount!.Value, response.Usage.OutputTokenCount!.Value));
        Assert.Equal(50, response.GetPromptOpsFeatures()!.TruncationRetriedFrom);
    }

    [Fact]
    public async Task Retry_happens_once_is_capped_and_a_second_cut_off_answer_is_returned_as_it_is()
    {
        var provider = Provider(needs: 10_000);
        using var client = new TruncationChatClient(provider, new TruncationOptions { RetryFactor = 3, MaxRetryTokens = 120 });

        var response = await client.GetResponseAsync(Ask(), Options(50, TruncationPolicy.Retry));

        Assert.Equal(ChatFinishReason.Length, response.FinishReason);
        Assert.Equal([50, 120], provider.Received.Select(r => r.Options!.MaxOutputTokens)); // 150 capped at 120

        // At the cap already, or without a limit to raise: no retry.
        provider.Received.Clear();
        await client.GetResponseAsync(Ask(), Options(120, TruncationPolicy.Retry));
        await client.GetResponseAsync(Ask(), new ChatOptions().WithPromptOps(new PromptOpsMetadata { OnTruncation = TruncationPolicy.Retry }));
        Assert.Equal(2, provider.Received.Count);
    }

    [Fact]
    public async Task Throw_policy_throws_with_the_partial_text_and_the_response()
    {
        var provider = Provider(needs: 80);
        using var client = new TruncationChatClient(provider);

        var e = await Assert.ThrowsAsync<PromptTruncatedException>(() => client.GetResponseAsync(Ask(), Options(50, TruncationPolicy.Throw)));

        Assert.Equal("Refunds a", e.PartialText[..9]);
        Assert.Equal("Faq.Explain", e.PromptId);
        Assert.Equal(50, e.MaxOutputTokens);
        Assert.Equal(ChatFinishReason.Length, e.Response!.FinishReason);
        Assert.Contains("cut off at the output-token limit of 50", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, provider.Calls);
    }

    [Fact]
    public async Task Defaults_return_text_and_retry_structured_replies_and_json_formats()
    {
        var provider = Provider(needs: 80);
        using var client = new TruncationChatClient(provider);

        var text = await client.GetResponseAsync(Ask(), Options(50));
        Assert.Equal(ChatFinishReason.Length, text.FinishReason);
        Assert.Equal(1, provider.Calls);

        var structured = await client.GetResponseAsync(Ask(), Options(50, structured: true));
        Assert.Equal(ChatFinishReason.Stop, structured.FinishReason);
        Assert.Equal(3, provider.Calls);

        var json = await client.GetResponseAsync(Ask(), new ChatOptions { MaxOutputTokens = 50, ResponseFormat = ChatResponseFormat.Json });
        Assert.Equal(ChatFinishReason.Stop, json.FinishReason);
        Assert.Equal(5, provider.Calls);

        // The options change the defaults; an explicit policy wins over them.
        using var strict = new TruncationChatClient(provider, new TruncationOptions { Policy = TruncationPolicy.Throw });
        await Assert.ThrowsAsync<PromptTruncatedException>(() => strict.GetResponseAsync(Ask(), Options(50)));
        Assert.Equal(ChatFinishReason.Length, (await strict.GetResponseAsync(Ask(), Options(50, TruncationPolicy.Return))).FinishReason);
    }

    [Fact]
    public async Task A_stream_cannot_be_retried_but_the_throw_policy_throws_after_the_last_chunk()
    {
        var provider = Provider(needs: 80);
        using var client = new TruncationChatClient(provider);

        var chunks = new List<string>();
        var e = await Assert.ThrowsAsync<PromptTruncatedException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync(Ask(), Options(50, TruncationPolicy.Throw))) chunks.Add(update.Text);
        });
        Assert.Equal(string.Concat(chunks), e.PartialText);
        Assert.Equal("Refunds ar", e.PartialText);

        var retried = await client.GetStreamingResponseAsync(Ask(), Options(50, TruncationPolicy.Retry)).ToListAsync();
        Assert.Equal(ChatFinishReason.Length, retried.ToChatResponse().FinishReason);
        Assert.Equal(2, provider.Calls);
    }

    [Fact]
    public void Invalid_options_name_the_bad_value()
    {
        var errors = new TruncationOptions { RetryFactor = 1, MaxRetryTokens = 0, Policy = (TruncationPolicy)9 }.GetErrors().ToList();
        Assert.Contains(errors, m => m.Contains("PromptOps:Truncation:RetryFactor", StringComparison.Ordinal));
        Assert.Contains(errors, m => m.Contains("PromptOps:Truncation:MaxRetryTokens", StringComparison.Ordinal));
        Assert.Contains(errors, m => m.Contains("PromptOps:Truncation:Policy is 9", StringComparison.Ordinal));
        Assert.Throws<ArgumentException>(() => new TruncationChatClient(new RecordingChatClient(), new TruncationOptions { RetryFactor = 0.5 }));
    }

    [Fact]
    public async Task In_the_pipeline_a_cut_off_answer_is_flagged_in_the_ledger_counted_and_never_cached()
    {
        var provider = Provider(needs: 80);
        var sink = new InMemoryUsageSink();
        using var services = new ServiceCollection().AddMetrics().AddSingleton<IUsageSink>(sink).BuildServiceProvider();
        using var truncated = new MetricCollector<long>(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), PromptOpsMetrics.MeterName, "promptops.responses.truncated");
        using var client = provider.AsBuilder().UsePromptOps().Build(services);

        // Text (default Return): returned cut off, twice — the second identical call is not a cache hit.
        var first = await client.GetResponseAsync(Ask(), Options(50));
        var second = await client.GetResponseAsync(Ask(), Options(50));
        Assert.Equal((ChatFinishReason.Length, CacheLayer.None), (first.FinishReason, first.GetCacheLayer()));
        Assert.Equal((ChatFinishReason.Length, CacheLayer.None), (second.FinishReason, second.GetCacheLayer()));
        Assert.Equal(2, provider.Calls);

        // Throw: the ledger row has the cut-off call's tokens and cost.
        await Assert.ThrowsAsync<PromptTruncatedException>(() => client.GetResponseAsync(Ask("Explain shipping."), Options(50, TruncationPolicy.Throw)));

        // Retry: the whole answer is cached under the request's key, so the next identical call is a hit.
        var retried = await client.GetResponseAsync(Ask("Explain returns."), Options(50, TruncationPolicy.Retry));
        var hit = await client.GetResponseAsync(Ask("Explain returns."), Options(50, TruncationPolicy.Retry));
        Assert.Equal(ChatFinishReason.Stop, retried.FinishReason);
        Assert.Equal((CacheLayer.Memory, retried.Text), (hit.GetCacheLayer(), hit.Text));
        Assert.Equal(5, provider.Calls);

        var records = sink.Snapshot();
        Assert.Equal(5, records.Count);
        Assert.Equal(
            [UsageAnomalies.Truncated, UsageAnomalies.Truncated, UsageAnomalies.Truncated, UsageAnomalies.Truncated | UsageAnomalies.RetriedLonger, UsageAnomalies.None],
            records.Select(r => r.Anomalies));

        // Provider calls from the ledger equal the provider's own count: the retry is one more call on its record.
        var totals = new PromptOps.Reports.TotalsBuilder();
        foreach (var r in records) totals.Add(r);
        Assert.Equal(provider.Calls, totals.Build().ProviderCalls);
        Assert.Equal(UsageOutcome.Failed, records[2].Outcome);
        Assert.Equal((100L, 50L), (records[2].InputTokens, records[2].OutputTokens));
        Assert.True(records[2].CostUsd > 0m);
        Assert.Equal((200L, 130L), (records[3].InputTokens, records[3].OutputTokens)); // both attempts of the retry

        var counted = truncated.GetMeasurementSnapshot();
        Assert.Equal(4, counted.Count);
        Assert.All(counted, m => Assert.Equal("Faq.Explain", m.Tags["promptops.prompt_id"]));
        Assert.Equal(["returned", "returned", "thrown", "retried"], counted.Select(m => (string)m.Tags["promptops.truncation.action"]!));
    }

    [Fact]
    public async Task The_usage_of_a_thrown_cut_off_answer_is_recorded_once_though_several_callers_get_the_exception()
    {
        // The cache hands one exception to concurrent identical callers (single flight): one call was billed.
        var cut = new PromptTruncatedException("Refunds a", "Faq.Explain", 50, new ChatResponse(new ChatMessage(ChatRole.Assistant, "Refunds a"))
        {
            ModelId = "gpt-4o-mini",
            FinishReason = ChatFinishReason.Length,
            Usage = new UsageDetails { InputTokenCount = 100, OutputTokenCount = 50 },
        });
        var provider = new RecordingChatClient { Respond = (_, _, _) => throw cut };
        var sink = new InMemoryUsageSink();
        using var meter = new UsageMeterChatClient(provider, sinks: [sink]);

        await Assert.ThrowsAsync<PromptTruncatedException>(() => meter.GetResponseAsync(Ask(), Options(50)));
        await Assert.ThrowsAsync<PromptTruncatedException>(() => meter.GetResponseAsync(Ask(), Options(50)));

        var records = sink.Snapshot();
        Assert.Equal([(50L, UsageAnomalies.Truncated), (0L, UsageAnomalies.Truncated)], records.Select(r => (r.OutputTokens, r.Anomalies)));
        Assert.True(records[0].CostUsd > 0m);
    }

    [Fact]
    public async Task A_cut_off_stream_is_flagged_and_counted()
    {
        var provider = Provider(needs: 80);
        var sink = new InMemoryUsageSink();
        using var services = new ServiceCollection().AddMetrics().AddSingleton<IUsageSink>(sink).BuildServiceProvider();
        using var truncated = new MetricCollector<long>(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), PromptOpsMetrics.MeterName, "promptops.responses.truncated");
        using var client = provider.AsBuilder().UsePromptOps().Build(services);

        await client.GetStreamingResponseAsync(Ask(), Options(50)).ToListAsync();
        await client.GetStreamingResponseAsync(Ask(), Options(50)).ToListAsync();

        Assert.Equal(2, provider.Calls); // not replayed from the cache
        Assert.All(sink.Snapshot(), r => Assert.Equal((UsageAnomalies.Truncated, true), (r.Anomalies, r.Streaming)));
        Assert.Equal(2, truncated.GetMeasurementSnapshot().Count);
    }
}
