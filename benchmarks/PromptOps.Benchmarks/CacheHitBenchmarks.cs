using BenchmarkDotNet.Attributes;
using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PromptOps.Caching;

namespace PromptOps.Benchmarks;

/// <summary>
/// An L1 (in-process) cache hit: PromptOps <see cref="PromptCacheChatClient"/> against the anchor, M.E.AI's
/// <see cref="DistributedCachingChatClient"/> over a <see cref="MemoryDistributedCache"/>, on the same request.
/// Goal: PromptOps at least 5x faster and at most 1/5 of the anchor's allocations.
/// <para>A data point for the design decision "HybridCache or our own L1/L2" (no goal): <see cref="HybridCachingChatClient"/>,
/// the hit path a chat client caching through <see cref="HybridCache"/> (L1 only, like the PromptOps rows) would have.</para>
/// </summary>
[Config(typeof(CacheConfig))]
public class CacheHitBenchmarks
{
    internal const string Ticket =
        "Hi, since this morning's update our team can no longer export invoices to PDF. Clicking 'Export' shows a spinner " +
        "for about a minute and then the error 'Request timed out (code 504)'. We are on the Business plan, account " +
        "#48213, using Chrome 126 on Windows 11. Month-end closing is on Friday, so this is urgent. Can you help?";

    private readonly List<ChatMessage> _messages =
    [
        new(ChatRole.System, "Classify the support ticket into one of: billing, bug, feature_request, account, other. Answer with the label only."),
        new(ChatRole.User, Ticket),
    ];

    private readonly ChatOptions _options = new() { ModelId = "gpt-4o-mini", MaxOutputTokens = 10, Temperature = 0f };

    private readonly ChatOptions _optionsWithMetadata = new ChatOptions { ModelId = "gpt-4o-mini", MaxOutputTokens = 10, Temperature = 0f }
        .WithPromptOps(new PromptOpsMetadata { PromptVersion = "v1", Task = "classification" });

    private FixedChatClient _inner = null!;
    private IChatClient _anchor = null!;
    private IChatClient _promptOps = null!;
    private ServiceProvider _services = null!;
    private IChatClient _hybrid = null!;

    [GlobalSetup]
    public void Setup()
    {
        _inner = new FixedChatClient();
        _anchor = new DistributedCachingChatClient(_inner, new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions())));
        _promptOps = new PromptCacheChatClient(_inner);
        _services = new ServiceCollection()
            .AddHybridCache()
            .AddSerializer(new ChatResponseHybridSerializer())
            .Services.BuildServiceProvider();
        _hybrid = new HybridCachingChatClient(_inner, _services.GetRequiredService<HybridCache>());

        // Warm every cache: one miss each (two for PromptOps: the metadata row has its own key).
        Warm(_anchor, _options);
        Warm(_promptOps, _options);
        Warm(_promptOps, _optionsWithMetadata);
        Warm(_hybrid, _options);
        if (_inner.Calls != ExpectedCalls) throw new InvalidOperationException($"Expected {ExpectedCalls} provider calls while warming, saw {_inner.Calls}.");
    }

    private const int ExpectedCalls = 4;

    [GlobalCleanup]
    public void Cleanup()
    {
        // Every measured call must have been a hit.
        if (_inner.Calls != ExpectedCalls) throw new InvalidOperationException($"A benchmarked call missed the cache: {_inner.Calls} provider calls.");
        _promptOps.Dispose();
        _anchor.Dispose();
        _hybrid.Dispose();
        _services.Dispose();
    }

    [Benchmark(Baseline = true)]
    public Task<ChatResponse> DistributedCachingChatClient_Hit() => _anchor.GetResponseAsync(_messages, _options);

    [Benchmark]
    public Task<ChatResponse> PromptOps_L1Hit() => _promptOps.GetResponseAsync(_messages, _options);

    [Benchmark]
    public Task<ChatResponse> PromptOps_L1Hit_WithMetadata() => _promptOps.GetResponseAsync(_messages, _optionsWithMetadata);

    [Benchmark]
    public Task<ChatResponse> HybridCache_L1Hit() => _hybrid.GetResponseAsync(_messages, _options);

    private void Warm(IChatClient client, ChatOptions options)
    {
        var first = client.GetResponseAsync(_messages, options).GetAwaiter().GetResult();
        var second = client.GetResponseAsync(_messages, options).GetAwaiter().GetResult();
        if (first.Text != second.Text) throw new InvalidOperationException("The cached response differs from the original.");
    }
}

/// <summary>
/// What a cache-through-<see cref="HybridCache"/> chat client's hit path would be: the PromptOps key
/// (<see cref="PromptCacheKey.Compute"/>), then <see cref="HybridCache.GetOrCreateAsync{TState, T}"/> with the inner call
/// as the factory, entries kept 30 days (the <c>static</c> TTL) in L1 and L2. Nothing else: no per-call TTL from
/// metadata, no copy marker, no metrics.
/// </summary>
internal sealed class HybridCachingChatClient(IChatClient inner, HybridCache cache) : DelegatingChatClient(inner)
{
    private static readonly HybridCacheEntryOptions Entry = new() { Expiration = TimeSpan.FromDays(30), LocalCacheExpiration = TimeSpan.FromDays(30) };

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var key = PromptCacheKey.Compute(messages, options);
        if (key is null) return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        return await cache.GetOrCreateAsync(
            key,
            (Client: InnerClient, Messages: messages, Options: options),
            static (state, ct) => new ValueTask<ChatResponse>(state.Client.GetResponseAsync(state.Messages, state.Options, ct)),
            Entry,
            cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>
/// <see cref="ChatResponse"/> as JSON with M.E.AI's <see cref="AIJsonUtilities.DefaultOptions"/> (the options
/// <see cref="DistributedCachingChatClient"/> uses). <see cref="ChatResponse"/> is mutable, so HybridCache keeps the bytes
/// and deserializes a fresh copy on every hit.
/// </summary>
internal sealed class ChatResponseHybridSerializer : IHybridCacheSerializer<ChatResponse>
{
    private static readonly JsonTypeInfo<ChatResponse> TypeInfo = (JsonTypeInfo<ChatResponse>)AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(ChatResponse));

    public ChatResponse Deserialize(ReadOnlySequence<byte> source)
    {
        var reader = new Utf8JsonReader(source);
        return JsonSerializer.Deserialize(ref reader, TypeInfo) ?? throw new JsonException("A cached ChatResponse was null.");
    }

    public void Serialize(ChatResponse value, IBufferWriter<byte> target)
    {
        using var writer = new Utf8JsonWriter(target);
        JsonSerializer.Serialize(writer, value, TypeInfo);
    }
}

/// <summary>A trivial in-process provider: always the same short answer with usage, counting its calls.</summary>
internal sealed class FixedChatClient : IChatClient
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "bug"))
        {
            ResponseId = "chatcmpl-bench-0001",
            ModelId = options?.ModelId ?? "gpt-4o-mini",
            CreatedAt = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero),
            FinishReason = ChatFinishReason.Stop,
            Usage = new UsageDetails { InputTokenCount = 92, OutputTokenCount = 1, TotalTokenCount = 93 },
        });
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
