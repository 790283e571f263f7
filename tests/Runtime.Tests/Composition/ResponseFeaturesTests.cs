using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using PromptOps.Caching;
using PromptOps.Routing;
using PromptOps.Tests.Infrastructure;
using PromptOps.Usage;

namespace PromptOps.Tests.Composition;

/// <summary>The layers talk through one typed <see cref="PromptOpsResponseFeatures"/>, not loose keys or <see cref="Exception.Data"/>.</summary>
public class ResponseFeaturesTests
{
    private static List<ChatMessage> Ask() => [new(ChatRole.User, "Is the shop open on Sunday?")];

    private static IChatClient Pipeline(IChatClient provider, IResponseCacheStore l2) =>
        new ChatClientBuilder(provider)
            .UsePromptOps(o => o.Fallback.Enabled = true)
            .Build(new ServiceCollection().AddSingleton(l2).BuildServiceProvider());

    [Fact]
    public async Task The_layers_annotate_a_response_under_one_key_with_typed_values()
    {
        using var client = Pipeline(new RecordingChatClient(), new InMemoryResponseCacheStore());

        var response = await client.GetResponseAsync(Ask());

        Assert.Equal([PromptOpsResponseFeatures.AdditionalPropertiesKey], response.AdditionalProperties!.Keys);
        var features = response.GetPromptOpsFeatures()!;
        Assert.Equal("primary", features.Provider);
        Assert.Equal(CacheLayer.None, features.CacheLayer);
        Assert.NotNull(features.CacheTtl); // stored by this call
        Assert.True(features.CostUsd > 0m);
        Assert.Equal(features.Provider, response.GetProvider()); // the typed helpers read the same object
        Assert.Equal((features.CacheTtl, features.CacheTtlReason), response.GetCacheTtlDecision());
    }

    [Fact]
    public async Task A_hit_from_L2_keeps_the_stored_part_and_gets_its_own_layer_and_cost()
    {
        var l2 = new InMemoryResponseCacheStore();
        var provider = new RecordingChatClient();
        using (var first = Pipeline(provider, l2)) await first.GetResponseAsync(Ask());

        using var second = Pipeline(provider, l2); // a new L1: the answer comes from the L2 entry (JSON)
        var hit = await second.GetResponseAsync(Ask());

        Assert.Equal(1, provider.Calls);
        var features = hit.GetPromptOpsFeatures()!;
        Assert.Equal(CacheLayer.Distributed, features.CacheLayer);
        Assert.Equal("primary", features.Provider); // kept through the entry
        Assert.Null(features.CacheTtl); // the TTL decision belonged to the call that stored it
        Assert.Equal(0m, features.CostUsd);
    }

    [Fact]
    public async Task A_memory_hit_is_a_copy_whose_features_do_not_change_the_stored_entry()
    {
        using var client = Pipeline(new RecordingChatClient(), new InMemoryResponseCacheStore());
        var stored = await client.GetResponseAsync(Ask());

        var hit = await client.GetResponseAsync(Ask());
        var again = await client.GetResponseAsync(Ask());

        Assert.NotSame(hit.GetPromptOpsFeatures(), again.GetPromptOpsFeatures());
        Assert.Equal(CacheLayer.Memory, again.GetCacheLayer());
        Assert.Equal(CacheLayer.None, stored.GetCacheLayer());
        Assert.NotNull(stored.GetCacheTtlDecision().Ttl);
    }

    [Fact]
    public async Task A_stream_made_into_a_response_keeps_the_provider_and_the_TTL()
    {
        using var client = Pipeline(new RecordingChatClient(), new InMemoryResponseCacheStore());

        var updates = new List<ChatResponseUpdate>();
        await foreach (var u in client.GetStreamingResponseAsync(Ask())) updates.Add(u);
        var response = updates.ToChatResponse();

        Assert.All(updates, u => Assert.Equal("primary", u.GetProvider()));
        Assert.Equal("primary", response.GetProvider());
        Assert.NotNull(response.GetCacheTtlDecision().Ttl);
    }

    [Fact]
    public async Task Attempts_paid_before_an_exception_travel_with_it_not_in_Exception_Data()
    {
        var sink = new InMemoryUsageSink();
        var provider = new RecordingChatClient();
        provider.Respond = (_, o, _) => o!.ModelId == "gpt-4o-mini"
            ? Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "maybe")) { ModelId = o.ModelId, Usage = new UsageDetails { InputTokenCount = 10, OutputTokenCount = 1 } })
            : throw new InvalidOperationException("down");
        using var client = new ChatClientBuilder(provider).UseUsageMeter().UseCascade()
            .Build(new ServiceCollection().AddSingleton<IUsageSink>(sink).BuildServiceProvider());

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            client.GetResponseAsync(Ask(), new ChatOptions().WithCascade(CascadeEvaluators.OneOf("yes", "no"))));

        Assert.Empty(e.Data);
        Assert.Equal("gpt-4o-mini", Assert.Single(e.GetCascadeAttempts()!).ModelId);
        Assert.NotNull(Assert.Single(sink.Snapshot()).CostUsd); // the meter priced the paid level
    }

    [Fact]
    public void An_exhausted_cascade_carries_its_attempts_on_itself()
    {
        var attempts = new[] { new CascadeAttempt(0, "gpt-4o-mini", null, null, CacheLayer.None, false, "not one of yes, no") };
        var e = new CascadeExhaustedException(attempts);

        Assert.Empty(e.Data);
        Assert.Same(attempts, e.GetCascadeAttempts());
    }
}
