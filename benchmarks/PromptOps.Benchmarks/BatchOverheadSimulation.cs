using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;
using PromptOps.Pricing;
using PromptOps.Routing;
using PromptOps.Tokens;

namespace PromptOps.Benchmarks;

/// <summary>
/// What the batch processor saves on 100 short classification items: the same items sent as 100 single calls and
/// through <see cref="BatchProcessor"/> (batches of 20), against a deterministic provider that counts input and output
/// tokens with the o200k tokenizer the way OpenAI bills chat (4 tokens per message, 3 to prime the reply) and answers a
/// batch with a JSON array. Run: <c>dotnet run -c Release --project benchmarks/PromptOps.Benchmarks -- --batch-overhead</c>.
/// </summary>
public static partial class BatchOverheadSimulation
{
    private const string Instructions =
        "You are a support analyst. Classify the sentiment of the customer review as positive, negative or neutral. " +
        "Answer with one word in lowercase and no punctuation. Treat sarcasm as negative, and a mixed review by its conclusion.";

    [GeneratedRegex(@"### Item (\d+)\n(.*?)(?=\n\n### Item |\z)", RegexOptions.Singleline)]
    private static partial Regex ItemPattern();

    public static async Task RunAsync()
    {
        var items = Enumerable.Range(0, 100).Select(i => (i % 3) switch
        {
            0 => $"Order {i} arrived on time and the fabric feels great, very happy with it.",
            1 => $"Order {i} came two weeks late and support never answered my emails.",
            _ => $"Order {i} is fine I guess, nothing special but it works.",
        }).ToList();
        var prices = new PriceCatalog();
        var price = prices.TryGetPrice("gpt-4o-mini", out var p) ? p : throw new InvalidOperationException();

        var single = new CountingProvider();
        foreach (var item in items)
            await single.GetResponseAsync([new ChatMessage(ChatRole.System, Instructions), new ChatMessage(ChatRole.User, item)], new ChatOptions { ModelId = "gpt-4o-mini" }).ConfigureAwait(false);

        var batched = new CountingProvider();
        BatchStatistics stats;
        await using (var batcher = new BatchProcessor(batched, new BatchProcessorOptions { Instructions = Instructions, MaxBatchSize = 20, ChatOptions = new ChatOptions { ModelId = "gpt-4o-mini" } }))
        {
            await Task.WhenAll(items.Select(i => batcher.ProcessAsync(i))).ConfigureAwait(false);
            stats = batcher.Statistics;
        }

        decimal Cost(CountingProvider c) => price.Cost(c.Input, 0, c.Output);
        Console.WriteLine("# Batch overhead: 100 classification items, gpt-4o-mini prices");
        Console.WriteLine();
        Console.WriteLine("| run | calls | input tokens | output tokens | cost |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| 100 single calls | {single.Calls} | {single.Input:N0} | {single.Output:N0} | ${Cost(single):F6} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| BatchProcessor (20 per call) | {batched.Calls} | {batched.Input:N0} | {batched.Output:N0} | ${Cost(batched):F6} |"));
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Measured: input {(double)batched.Input / single.Input:P1} of the single calls' ({single.Input - batched.Input:N0} tokens saved, {(double)(single.Input - batched.Input) / items.Count:F1} per item); " +
            $"output {(double)batched.Output / single.Output:P0} of theirs (the JSON around each answer); cost {Cost(batched) / Cost(single):P1}."));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"BatchProcessor.Statistics: OverheadTokensPerRequest {stats.OverheadTokensPerRequest}, OverheadTokensSaved {stats.OverheadTokensSaved:N0} " +
            $"(${stats.OverheadCostSavedUsd:F6}), {stats.ItemsAnsweredInBatch} of {stats.Items} answered in {stats.BatchCalls} batch calls, {stats.SingleCalls} single calls."));
    }

    private sealed class CountingProvider : IChatClient
    {
        private readonly ITokenCounter _counter = TokenCounters.ForModel("gpt-4o-mini");

        public int Calls { get; private set; }

        public long Input { get; private set; }

        public long Output { get; private set; }

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            var list = messages.ToList();
            var input = 3 + list.Sum(m => 4 + _counter.CountTokens(m.Text));
            var user = list[^1].Text;
            var text = list[0].Text.Contains("numbered items", StringComparison.Ordinal)
                ? JsonSerializer.Serialize(ItemPattern().Matches(user).Select(m => new { id = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), answer = Label(m.Groups[2].Value) }))
                : Label(user);
            var output = _counter.CountTokens(text);
            lock (this)
            {
                Calls++;
                Input += input;
                Output += output;
            }

            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, text))
            {
                ModelId = options?.ModelId,
                Usage = new UsageDetails { InputTokenCount = input, OutputTokenCount = output },
            });
        }

        private static string Label(string item) => item.Contains("late", StringComparison.Ordinal) ? "negative" : item.Contains("fine", StringComparison.Ordinal) ? "neutral" : "positive";

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
