using System.Globalization;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;
using PromptOps.Tests.Infrastructure;
using PromptOps.Tokens;

namespace PromptOps.Tests.Budgets;

/// <summary>Shared pieces of the budget and plan tests.</summary>
internal static class BudgetTestKit
{
    /// <summary>gpt-4o: $2.50 input, $1.25 cached input, $10 output per 1M tokens.</summary>
    public const decimal Gpt4oInput = 2.50m / 1_000_000m;

    public const decimal Gpt4oCached = 1.25m / 1_000_000m;

    public const decimal Gpt4oOutput = 10.00m / 1_000_000m;

    /// <summary>
    /// A fake clock at 10:00 UTC three days from now. Redis expires keys by its own (real) clock, so the fake time must
    /// not be in the past, or the counters' PEXPIREAT would delete them at once.
    /// </summary>
    public static FakeTimeProvider Clock(int hour = 10)
    {
        var day = DateTimeOffset.UtcNow.UtcDateTime.Date.AddDays(3);
        return new FakeTimeProvider(new DateTimeOffset(day.AddHours(hour), TimeSpan.Zero));
    }

    public static List<ChatMessage> Ask(string text = "What is the capital of France?") => [new(ChatRole.User, text)];

    public static ChatOptions Gpt4o(int? maxOutput = 1000) => new() { ModelId = "gpt-4o", MaxOutputTokens = maxOutput };

    /// <summary>What the breaker reserves for <paramref name="messages"/> on gpt-4o.</summary>
    public static decimal WorstCase(IEnumerable<ChatMessage> messages, ChatOptions options, int maxOutput) =>
        RequestTokens.Count(messages, options, "gpt-4o") * Gpt4oInput + maxOutput * Gpt4oOutput;

    /// <summary>What a request counts as while the exact tokenizer of <paramref name="model"/> still loads: its UTF-8 byte bound.</summary>
    public static int ByteBound(IEnumerable<ChatMessage> messages, ChatOptions options, string model)
    {
        var bound = RequestTokens.CountOrBound(messages, options, model, _ => false, out var exact);
        Assert.False(exact);
        return bound;
    }

    /// <summary>A provider that answers with the given usage, after yielding (so concurrent calls overlap).</summary>
    public static RecordingChatClient Provider(long input = 10, long output = 100, long cached = 0) =>
        new()
        {
            Respond = async (_, o, _) =>
            {
                await Task.Yield();
                return Answer(o?.ModelId ?? "gpt-4o", input, output, cached);
            },
        };

    public static ChatResponse Answer(string model, long input, long output, long cached = 0) =>
        new(new ChatMessage(ChatRole.Assistant, "answer"))
        {
            ModelId = model,
            Usage = new UsageDetails { InputTokenCount = input, OutputTokenCount = output, CachedInputTokenCount = cached, TotalTokenCount = input + output },
        };

    public static string Usd(decimal value) => value.ToString("0.000000000", CultureInfo.InvariantCulture);
}
