using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;
using PromptOps.Tokens;

namespace PromptOps.Simulation;

/// <summary>
/// A <b>simulated</b> provider for samples, demos and tests that must run offline: it never calls a real model.
/// Answers are deterministic (the same request always gets the same answer, whatever the model), token usage is counted
/// with the model's tokenizer (exact o200k/cl100k for OpenAI models, the documented estimate otherwise), and the model id
/// is the requested one, so the price catalogue prices it like a real call. It behaves like a model, not like its limit:
/// <list type="bullet">
/// <item>Where the system message or instructions constrain the reply the way generated prompts do — "Answer with exactly
/// one of: A, B, C.", "Answer yes or no.", "Answer with a number only." — the answer is the one right answer for the
/// user's text (the label whose words occur most in it, else one picked by the request's hash; the first number in it),
/// the same for every model.</item>
/// <item>A free-text answer starts with "[simulated MODEL]". When a message asks for a length — "Answer in at most N
/// words." / "… N sentences." (the wording PromptOps' length guidance writes), natural phrasings such as "in one word",
/// "in two sentences at most", "no more than 3 sentences", or Japanese "N文字以内で答えてください。" — the answer keeps
/// within it; otherwise it has its natural length (<see cref="AnswerLength"/> tokens).</item>
/// <item><see cref="ChatOptions.MaxOutputTokens"/> never shortens an answer the way a length request does: an answer
/// longer than the limit is cut off at it, with <see cref="ChatFinishReason.Length"/>, as a real provider does.</item>
/// </list>
/// </summary>
public sealed class SimulatedChatClient : IChatClient
{
    /// <summary>The default natural answer length in tokens: what a chatty model writes when nothing asks it to be brief.</summary>
    public const int DefaultAnswerLength = 187;

    private static readonly string[] Words =
    [
        "the", "order", "was", "shipped", "and", "should", "arrive", "within", "three", "business", "days", "please",
        "check", "your", "account", "settings", "for", "the", "latest", "status", "our", "team", "has", "reviewed",
        "request", "refund", "will", "appear", "on", "statement", "after", "processing", "password", "reset", "link",
        "sent", "to", "registered", "email", "address", "support", "is", "available", "around", "clock",
    ];

    private static readonly string[] JapaneseWords =
    [
        "ご注文", "は", "発送", "されました", "三", "営業日", "以内", "に", "届きます", "アカウント", "設定", "を", "ご確認",
        "ください", "返金", "処理", "後", "明細", "パスワード", "再設定", "リンク", "登録", "メール", "サポート", "対応",
    ];

    private int _calls;

    /// <summary>Creates the simulated provider.</summary>
    /// <param name="defaultModel">The model reported when the request names none.</param>
    /// <param name="latency">A delay added to every call, to make demos look like real traffic.</param>
    /// <param name="answerLength">The natural length of a free-text answer in output tokens, when no message asks for a length.</param>
    public SimulatedChatClient(string defaultModel = "gpt-4o-mini", TimeSpan latency = default, int answerLength = DefaultAnswerLength)
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

    /// <summary>
    /// Models that misread labelled prompts (off by default: every model answers alike): for <see cref="OffLabelShare"/> of the
    /// requests — chosen by the request's hash, so the same request is always misread — they answer with a sentence
    /// instead of one of the labels, as a weak model sometimes does. For showing validate-then-escalate; not for savings.
    /// </summary>
    public IReadOnlySet<string>? OffLabelModels { get; init; }

    /// <summary>The share (0–1) of labelled requests an <see cref="OffLabelModels"/> model misreads. Default: 0.2.</summary>
    public double OffLabelShare { get; init; } = 0.2;

    /// <summary>The delay added to every call.</summary>
    public TimeSpan Latency { get; }

    /// <summary>The natural length of a free-text answer in output tokens (when no message asks for a length).</summary>
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

        // The content does not depend on the model: the same question gets the same answer from every model.
        var seed = Seed(list, options);
        string answer;
        if (Labels(list, options) is { } labels)
        {
            answer = OffLabelModels?.Contains(model) == true && seed[^1] < OffLabelShare * 256
                ? "The ticket is about " + Choose(labels, list, seed).Replace('_', ' ') + ", I think."
                : Choose(labels, list, seed);
        }
        else if (AsksForNumber(list, options))
        {
            answer = Number(list, seed);
        }
        else
        {
            answer = FindLengthRequest(list, options) is { } asked
                ? Compose(model, seed, asked)
                : counter.Truncate(Compose(model, seed, AnswerLength), AnswerLength);
        }

        // The output limit cuts, it does not shorten: a longer answer ends mid-sentence with finish reason "length".
        var truncated = options?.MaxOutputTokens is { } limit && counter.CountTokens(answer) > limit;
        if (truncated) answer = counter.Truncate(answer, Math.Max(0, options!.MaxOutputTokens!.Value));
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

    private const string NumberOnly = "Answer with a number only.";

    private static readonly Regex EnglishLength = new(
        @"\b(?:in|within|under|no more than|at most|up to)\s+(?:at most\s+|no more than\s+)?(?<n>\d{1,4}|a single|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty)\s+(?<unit>word|sentence)s?\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    private static readonly Regex JapaneseLength = new(@"(?<n>\d{1,5})\s*文?字以内", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    private static readonly Regex FirstNumber = new(@"-?\d+(?:\.\d+)?", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    /// <summary>The unit of a length a message asks for.</summary>
    private enum LengthUnit
    {
        Words,
        Sentences,
        Characters,
    }

    /// <summary>A length a message asks the answer to keep within.</summary>
    private readonly record struct LengthRequest(LengthUnit Unit, int Count);

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

    private static bool AsksForNumber(IReadOnlyCollection<ChatMessage> messages, ChatOptions? options) =>
        messages.Where(m => m.Role == ChatRole.System).Select(m => m.Text).Append(options?.Instructions)
            .Any(t => t?.Contains(NumberOnly, StringComparison.Ordinal) == true);

    /// <summary>The first number in the user's text (the one right answer of an extraction), else one from the request's hash.</summary>
    private static string Number(IReadOnlyCollection<ChatMessage> messages, byte[] seed)
    {
        foreach (var m in messages.Where(m => m.Role == ChatRole.User))
        {
            if (FirstNumber.Match(m.Text) is { Success: true } match) return match.Value;
        }

        return (seed[0] % 100).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The length the instructions or a message ask for (the first one found), or null when none is asked.</summary>
    private static LengthRequest? FindLengthRequest(IReadOnlyCollection<ChatMessage> messages, ChatOptions? options)
    {
        foreach (var text in messages.Select(m => m.Text).Prepend(options?.Instructions))
        {
            if (string.IsNullOrEmpty(text)) continue;
            if (EnglishLength.Match(text) is { Success: true } en)
            {
                var unit = en.Groups["unit"].Value.StartsWith("w", StringComparison.OrdinalIgnoreCase) ? LengthUnit.Words : LengthUnit.Sentences;
                if (Count(en.Groups["n"].Value) is > 0 and var n) return new LengthRequest(unit, n);
            }

            if (JapaneseLength.Match(text) is { Success: true } ja && int.TryParse(ja.Groups["n"].Value, CultureInfo.InvariantCulture, out var chars) && chars > 0)
            {
                return new LengthRequest(LengthUnit.Characters, chars);
            }
        }

        return null;
    }

    private static int Count(string text) => text.ToLowerInvariant() switch
    {
        "a single" or "one" => 1,
        "two" => 2,
        "three" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        "ten" => 10,
        "twelve" => 12,
        "fifteen" => 15,
        "twenty" => 20,
        var digits => int.TryParse(digits, CultureInfo.InvariantCulture, out var n) ? n : 0,
    };

    /// <summary>The label sharing most words with the user's text; ties and no match go by the request's hash.</summary>
    private static string Choose(string[] labels, IReadOnlyCollection<ChatMessage> messages, byte[] seed)
    {
        var user = string.Join(' ', messages.Where(m => m.Role == ChatRole.User).Select(m => m.Text)).ToLowerInvariant();
        var scores = labels.Select(l => l.ToLowerInvariant().Split([' ', '_', '-'], StringSplitOptions.RemoveEmptyEntries).Count(w => w.Length > 2 && user.Contains(w, StringComparison.Ordinal))).ToArray();
        var best = scores.Max();
        var candidates = labels.Where((_, i) => scores[i] == best).ToArray();
        return candidates[seed[0] % candidates.Length];
    }

    /// <summary>The request's hash, without the model: what the answer depends on.</summary>
    private static byte[] Seed(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var sb = new StringBuilder();
        foreach (var m in messages) sb.Append(m.Role.Value).Append('\u001f').Append(m.Text).Append('\u001e');
        sb.Append(options?.Instructions);
        return SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString()));
    }

    private static string Prefix(string model) => "[simulated " + model + "]";

    /// <summary>The words of sentence <paramref name="index"/>: 8 to 14, from the request's hash.</summary>
    private static IEnumerable<string> Sentence(byte[] seed, int index)
    {
        var length = 8 + (seed[index % seed.Length] % 7);
        for (var i = 0; i < length; i++) yield return Words[(seed[(index + i) % seed.Length] + (index * 7) + (i * 13)) % Words.Length];
    }

    /// <summary>An answer of its natural length: sentences until it reaches <paramref name="tokens"/> (the caller trims it to that).</summary>
    private static string Compose(string model, byte[] seed, int tokens)
    {
        var sb = new StringBuilder(Prefix(model));
        var words = 2;
        for (var s = 0; words < tokens + 2; s++)
        {
            foreach (var w in Sentence(seed, s))
            {
                sb.Append(' ').Append(w);
                words++;
            }

            sb.Append('.');
        }

        return sb.ToString();
    }

    /// <summary>An answer within the asked length; the "[simulated MODEL]" label counts towards it and is left out when it does not fit.</summary>
    private static string Compose(string model, byte[] seed, LengthRequest asked)
    {
        var prefix = Prefix(model);
        switch (asked.Unit)
        {
            case LengthUnit.Words:
            {
                var labelled = asked.Count >= 4;
                var words = Enumerable.Range(0, int.MaxValue).SelectMany(s => Sentence(seed, s)).Take(labelled ? asked.Count - 2 : asked.Count);
                var text = string.Join(' ', words) + ".";
                return labelled ? prefix + " " + text : text;
            }

            case LengthUnit.Sentences:
                return prefix + " " + string.Join(' ', Enumerable.Range(0, asked.Count).Select(s => string.Join(' ', Sentence(seed, s)) + "."));

            default:
            {
                var body = new StringBuilder();
                for (var i = 0; body.Length < asked.Count; i++) body.Append(JapaneseWords[(seed[i % seed.Length] + (i * 5)) % JapaneseWords.Length]);
                var labelled = asked.Count >= prefix.Length + 11;
                var room = (labelled ? asked.Count - prefix.Length - 1 : asked.Count) - 1; // the closing "。"
                var text = body.ToString(0, Math.Max(0, room)) + "。";
                return labelled ? prefix + " " + text : text;
            }
        }
    }
}
