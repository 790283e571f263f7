using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.AI;
using PromptOps;
using PromptOps.Routing.Batching;
using PromptOps.Routing.Batching.Sqlite;
using PromptOps.Usage;
using PromptOps.Usage.Sqlite;

// One application process of the batching restart test (tests/Batching.Tests/RestartTests.cs). Arguments:
//   --mode submit|resume --base <batch server root> --provider OpenAI|Anthropic --db <ledger path> [--items <n>] [--batch-size <n>]
// Both modes keep batches in the SQLite ledger (SqliteProviderBatchStore) and record usage there (SqliteUsageSink), and run
// deferrable calls through UsageMeterChatClient → DeferrableChatClient. submit: makes <items> deferrable calls "question i"
// (key item-i) and writes "caller item-i <answer>" as each answer arrives (after the ledger has its usage record) and
// "submitted" once every batch was accepted; then waits to be killed. resume: ResumeAsync + DrainAsync, the handler writing
// "handler item-i ok|failed <answer or error>" per result; then "summary <json>" and exit 0.
var settings = args.Chunk(2).ToDictionary(p => p[0].TrimStart('-'), p => p[1], StringComparer.Ordinal);
var mode = settings["mode"];
var provider = Enum.Parse<BatchProviderKind>(settings["provider"]);
var db = settings["db"];
var items = int.Parse(settings.GetValueOrDefault("items", "0"), CultureInfo.InvariantCulture);
var batchSize = int.Parse(settings.GetValueOrDefault("batch-size", "100"), CultureInfo.InvariantCulture);
var model = provider == BatchProviderKind.Anthropic ? "claude-haiku-4-5" : "gpt-4o-mini";
var options = new ProviderBatchOptions
{
    Provider = provider,
    BaseAddress = new Uri(settings["base"]),
    ApiKey = "test-key",
    MaxBatchSize = batchSize,
    MaxBatchAge = TimeSpan.FromMinutes(10), // only size fills a batch in submit mode; DrainAsync sends the rest in resume mode
    FirstPollDelay = TimeSpan.FromMilliseconds(10),
    MaxPollDelay = TimeSpan.FromMilliseconds(100),
    MaxItemAttempts = 3,
    DefaultModel = model,
};

var output = new object();
void Write(string line)
{
    lock (output) Console.Out.WriteLine(line);
}

await using var ledger = new SqliteUsageSink(db);
using var store = new SqliteProviderBatchStore(db);
var handler = new PrintingHandler(Write);
await using var scheduler = new ProviderBatchScheduler(options, store, handler: handler, sinks: [ledger]);
using var client = new UsageMeterChatClient(new DeferrableChatClient(new NoProvider(), scheduler), sinks: [ledger]);

if (mode == "resume")
{
    await scheduler.ResumeAsync();
    await scheduler.DrainAsync();
    await ledger.FlushAsync();
    Write("summary " + JsonSerializer.Serialize(scheduler.Statistics));
    return 0;
}

var calls = Enumerable.Range(0, items).Select(i => Task.Run(async () =>
{
    var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, $"question {i}")], new ChatOptions { ModelId = model }.Deferrable($"item-{i}"));
    await ledger.FlushAsync();
    Write($"caller item-{i} {response.Text}");
})).ToList();
var expected = (items + batchSize - 1) / batchSize;
while (scheduler.Statistics.BatchesSubmitted < expected) await Task.Delay(10);
Write("submitted");
await Task.WhenAll(calls); // in the test, killed before this returns
return 0;

/// <summary>Writes each result the scheduler hands over.</summary>
internal sealed class PrintingHandler(Action<string> write) : IProviderBatchResultHandler
{
    public ValueTask HandleAsync(ProviderBatchResult result, CancellationToken cancellationToken)
    {
        write(result.Response is { } r ? $"handler {result.Key} ok {r.Text}" : $"handler {result.Key} failed {result.Failure}: {result.Error}");
        return ValueTask.CompletedTask;
    }
}

/// <summary>The provider client under the batching layer: every call of this worker is deferrable, so it is never called.</summary>
internal sealed class NoProvider : IChatClient
{
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new InvalidOperationException("A deferrable call reached the provider client.");

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new InvalidOperationException("A deferrable call reached the provider client.");

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
