using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.AI;
using PromptOps.Tokens;

namespace PromptOps.Simulation;

/// <summary>
/// A <b>simulated</b> provider for samples, demos and tests that must run offline: it never calls a real model.
/// Answers are deterministic (the same request always gets the same answer), token usage is counted with the
/// model's tokenizer (exact o200k/cl100k for OpenAI models, the documented estimate otherwise), output respects
/// <see cref="ChatOptions.MaxOutputTokens"/> (finish reason <c>length</c> when it cuts), and the model id is the
/// requested one, so the price catalogue prices it like a real call. A free-text answer starts with "[simulated".
/// Where the system message or instructions constrain the reply the way generated prompts do — "Answer with exactly one
/// of: A, B, C." or "Answer yes or no." — the answer is one of those labels, chosen deterministically: the label whose
/// words occur most in the user's text, else one picked by the request's hash.
/// </summary>
public sealed class SimulatedChatClient : IChatClient
{
    private static readonly string[] Words =
    [
        "the", "order", "was", "shipped", "and", "should", "arrive", "within", "three", "business", "days", "please",
        "check", "your", "account", "settings", "for", "the", "latest", "status", "our", "team", "has", "reviewed",
        "request", "refund", "will", "appear", "on", "statement", "after", "processing", "password", "reset", "link",
        "sent", "to", "registered", "email", "address", "support", "is", "available", "around", "clock",
    ];

    private int _calls;

    /// <summary>Creates the simulated provider.</summary>
    /// <param name="defaultModel">The model reported when the request names none.</param>
    /// <param name="latency">A delay added to every call, to make demos look like real traffic.</param>
    /// <param name="answerLength">Output tokens an answer aims for when <c>MaxOutputTokens</c> is not set.</param>
    public SimulatedChatClient(string defaultModel = "gpt-4o-mini", TimeSpan latency = default, int answerLength = 120)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(defaultModel);
        ArgumentOutOfRangeException.ThrowIfNegative(latency.Ticks, nameof(latency));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(answerLength);
        DefaultModel = defaultModel;
        Latency = latency;
        AnswerLength = answerLength;
    }

    /// <summary>The model reported when the request names none.</summary>
    public string DefaultModel { get; }

    /// <summary>The delay added to every call.</summary>
    public TimeSpan Latency { get; }

    /// <summary>Output tokens an answer aims for when no limit is set.</summary>
    public int AnswerLength { get; }

    /// <summary>How many calls reached this provider.</summary>
    public int CallCount => Volatile.Read(ref _calls);

    /// <inheritdoc />
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        Interlocked.Increment(ref _calls);
        if (Latency > TimeSpan.Zero) await Task.Delay(Latency, cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();

        var list = messages as IReadOnlyCollection<ChatMessage> ?? messages.ToList();
        var model = options?.ModelId ?? DefaultModel;
        var counter = TokenCounters.ForModel(model);
        long input = 3; // reply priming
        foreach (var m in list) input += 4 + counter.CountTokens(m.Text);
        if (options?.Instructions is { } instructions) input += 4 + counter.CountTokens(instructions);

        var seed = Seed(list, options);
        var limit = options?.MaxOutputTokens ?? AnswerLength;
        string answer;
        if (Labels(list, options) is { } labels)
        {
            answer = Choose(labels, list, seed);
        }
        else
        {
            var budget = Math.Max(1, Math.Min(limit, AnswerLength) * 3 / 4);
            var target = Math.Max(1, budget - counter.CountTokens(Compose(model, seed, 0)));
            answer = Compose(model, seed, target);
        }

        var truncated = counter.CountTokens(answer) > limit;
        if (truncated) answer = counter.Truncate(answer, limit);
        var output = counter.CountTokens(answer);

        return new ChatResponse(new ChatMessage(ChatRole.Assistant, answer))
        {
            ModelId = model,
            ResponseId = "sim-" + Hex.ToLower(seed.AsSpan(0, 8)),
            CreatedAt = DateTimeOffset.UtcNow,
            FinishReason = truncated ? ChatFinishReason.Length : ChatFinishReason.Stop,
            Usage = new UsageDetails { InputTokenCount = input, OutputTokenCount = output, TotalTokenCount = input + output },
        };
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        var text = response.Text;
        var start = 0;
        while (start < text.Length)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var next = text.IndexOf(' ', start + 1);
            var end = next < 0 ? text.Length : next;
            yield return new ChatResponseUpdate(ChatRole.Assistant, text[start..end]) { ModelId = response.ModelId, ResponseId = response.ResponseId };
            start = end;
        }

        yield return new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(response.Usage!)])
        {
            ModelId = response.ModelId,
            ResponseId = response.ResponseId,
            FinishReason = response.FinishReason,
        };
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private const string OneOf = "Answer with exactly one of: ";

    /// <summary>The labels the prompt allows, or null when the reply is free text.</summary>
    private static string[]? Labels(IReadOnlyCollection<ChatMessage> messages, ChatOptions? options)
    {
        foreach (var text in messages.Where(m => m.Role == ChatRole.System).Select(m => m.Text).Append(options?.Instructions))
        {
            if (string.IsNullOrEmpty(text)) continue;
            var at = text.IndexOf(OneOf, StringComparison.Ordinal);
            if (at >= 0)
            {
                var start = at + OneOf.Length;
                var end = text.IndexOf(".\n", start, StringComparison.Ordinal) is var e and >= 0 ? e : text.EndsWith('.') ? text.Length - 1 : text.Length;
                var labels = text[start..end].Split(", ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                if (labels.Length > 0) return labels;
            }

            if (text.Contains("Answer yes or no.", StringComparison.Ordinal)) return ["yes", "no"];
        }

        return null;
    }

    /// <summary>The label sharing most words with the user's text; ties and no match go by the request's hash.</summary>
    private static string Choose(string[] labels, IReadOnlyCollection<ChatMessage> messages, byte[] seed)
    {
        var user = string.Join(' ', messages.Where(m => m.Role == ChatRole.User).Select(m => m.Text)).ToLowerInvariant();
        var scores = labels.Select(l => l.ToLowerInvariant().Split([' ', '_', '-'], StringSplitOptions.RemoveEmptyEntries).Count(w => w.Length > 2 && user.Contains(w, StringComparison.Ordinal))).ToArray();
        var best = scores.Max();
        var candidates = labels.Where((_, i) => scores[i] == best).ToArray();
        return candidates[seed[0] % candidates.Length];
    }

    private static byte[] Seed(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var sb = new StringBuilder();
        foreach (var m in messages) sb.Append(m.Role.Value).Append('\u001f').Append(m.Text).Append('\u001e');
        sb.Append(options?.ModelId).Append('\u001e').Append(options?.Instructions);
        return SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString()));
    }

    private static string Compose(string model, byte[] seed, int words)
    {
        var sb = new StringBuilder("[simulated ").Append(model).Append("] ");
        for (var i = 0; i < words; i++)
        {
            if (i > 0) sb.Append(' ');
            sb.Append(Words[seed[i % seed.Length] * (i + 1) % Words.Length]);
        }

        return sb.Append('.').ToString();
    }
}
