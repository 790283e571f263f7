using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using PromptOps.Budgets;
using PromptOps.Knowledge;
using PromptOps.Pricing;
using PromptOps.Tokens;

namespace PromptOps.FaultWorker;

/// <summary>
/// A deterministic fake provider (gpt-4o at the catalogue's price) that bills like a real one and records every bill.
/// The request's number is in its text ("Request 17: …"); from it and the seed come the answer's length (100 to
/// <c>MaxOutputTokens</c> output tokens) and whether it is one of the over-reporting calls. Input tokens are counted with
/// <see cref="RequestTokens"/>, as a provider counts the prompt it received.
/// <para>What it bills (the honest model of a real provider):</para>
/// <list type="bullet">
/// <item>an answer it returned (whole, or a stream read to its end): input + the output tokens it reports;</item>
/// <item>a stream the caller stopped reading: input + the tokens of the chunks it had sent — a provider stops generating
/// when the client disconnects and bills what it generated; in process nothing is generated ahead of what is sent, so
/// that is exactly the text the caller received (over a network, tokens in flight would be billed too);</item>
/// <item>a non-streaming call the caller cancelled while it was being answered: input + the full answer — the caller's
/// disconnect does not stop a non-streaming generation, which is billed whole.</item>
/// </list>
/// </summary>
internal sealed class FakeProvider(int seed, double overReportShare, Gates gates) : IChatClient
{
    public const string Model = "gpt-4o";

    private static readonly string[] Words = ["budget", "provider", "answer", "tokens", "escrow", "slice", "lease", "settle", "window", "redis", "stream", "chunk"];
    private readonly ChatClientMetadata _metadata = new("fake", null, Model);

    public ModelPriceInfo Price { get; } = new PriceCatalog().TryGetPrice(Model, out var p) ? p : throw new InvalidOperationException("gpt-4o has no price.");

    /// <summary>Called with every bill (request number, nano-dollars, kind).</summary>
    public required Action<Bill> Billed { get; init; }

    /// <summary>Requests (by number) whose caller cancels them once they reached the provider: the provider signals it here and waits.</summary>
    public Func<int, TaskCompletionSource?> CancelGate { get; init; } = _ => null;

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages.ToList();
        var (number, input, output, over) = Plan(list, options);
        await gates.InProviderAsync().ConfigureAwait(false);
        if (CancelGate(number) is { } reached)
        {
            reached.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The generation goes on without the caller: billed whole.
                Billed(new Bill(number, Nano(input, output), "cancelled", WorstNano(input, options), over));
                throw;
            }
        }

        await Task.Yield();
        var usage = new UsageDetails { InputTokenCount = input, OutputTokenCount = output, TotalTokenCount = input + output };
        Billed(new Bill(number, Nano(input, output), "answered", WorstNano(input, options), over));
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, Text(number, output))) { ModelId = Model, Usage = usage };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var list = messages.ToList();
        var (number, input, output, over) = Plan(list, options);
        await gates.InProviderAsync().ConfigureAwait(false);
        var chunks = Chunks(number, output);
        var sent = new System.Text.StringBuilder();
        var completed = false;
        try
        {
            foreach (var chunk in chunks)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await Task.Yield();
                sent.Append(chunk);
                yield return new ChatResponseUpdate(ChatRole.Assistant, chunk) { ModelId = Model };
            }

            completed = true;
            yield return new ChatResponseUpdate
            {
                Role = ChatRole.Assistant,
                ModelId = Model,
                Contents = [new UsageContent(new UsageDetails { InputTokenCount = input, OutputTokenCount = output, TotalTokenCount = input + output })],
            };
        }
        finally
        {
            // Read to the end: the reported usage. Stopped early: what was generated, i.e. sent.
            var billedOutput = completed ? output : TokenCounters.ForModel(Model).CountTokens(sent.ToString());
            Billed(new Bill(number, Nano(input, billedOutput), completed ? "streamed" : "stream-abandoned", WorstNano(input, options), over && completed));
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(ChatClientMetadata) ? _metadata : serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }

    /// <summary>What the provider bills for <paramref name="input"/> and <paramref name="output"/> tokens, in nano-dollars as the budget counts it.</summary>
    public long Nano(long input, long output) =>
        ToNanoCeiling(CostBudget.CostOf(Price, new UsageDetails { InputTokenCount = input, OutputTokenCount = output }));

    /// <summary>The worst case the budget reserves for this call (input + MaxOutputTokens), in nano-dollars.</summary>
    public long WorstNano(long input, ChatOptions? options) => ToNanoCeiling(Price.Cost(input, 0, options?.MaxOutputTokens ?? 0));

    /// <summary>USD to nano-dollars rounded up: what <c>CostBudget.ToNanoCeiling</c> (internal) does to every settled amount.</summary>
    public static long ToNanoCeiling(decimal usd) => (long)decimal.Ceiling(usd * 1_000_000_000m);

    private (int Number, int Input, int Output, bool Over) Plan(List<ChatMessage> messages, ChatOptions? options)
    {
        var text = messages[^1].Text;
        var number = int.Parse(text.AsSpan(8, text.IndexOf(':', StringComparison.Ordinal) - 8), System.Globalization.CultureInfo.InvariantCulture);
        var max = options?.MaxOutputTokens ?? 1000;
        var random = new Random(HashCode.Combine(seed, number));
        var output = random.Next(100, max + 1);
        var over = random.NextDouble() < overReportShare;
        if (over) output = 3 * max; // a provider that ignores the output limit
        return (number, RequestTokens.Count(messages, options, Model), output, over);
    }

    private static string Text(int number, int output) => string.Concat(Chunks(number, output));

    /// <summary>The answer in chunks of a few words (at least 5 chunks).</summary>
    private static List<string> Chunks(int number, int output)
    {
        var chunks = new List<string>();
        var words = Math.Max(20, output / 2);
        for (var i = 0; i < words; i += 4)
        {
            chunks.Add(string.Join(' ', Enumerable.Range(i, Math.Min(4, words - i)).Select(w => Words[(w + number) % Words.Length])) + " ");
        }

        return chunks;
    }
}

/// <summary>One bill: the request's number, nano-dollars, how the call ended, the worst case reserved for it, whether the provider over-reported.</summary>
internal sealed record Bill(int Number, long Nano, string Kind, long WorstNano, bool Over);
