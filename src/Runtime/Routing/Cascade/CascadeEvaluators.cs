using System.Text.Json;
using Microsoft.Extensions.AI;

namespace PromptOps.Routing;

/// <summary>
/// Built-in cascade evaluators: the reply parses as JSON / as a <c>T</c>-shaped JSON value, is one of a
/// set of labels (an enum), is a yes/no answer, is at least so long, was not cut off, or satisfies a caller's delegate.
/// Replies are read after trimming white space and a surrounding Markdown code fence.
/// </summary>
public static class CascadeEvaluators
{
    /// <summary>Passes when the reply is valid JSON (any value).</summary>
    public static ICascadeEvaluator Json() => new DelegateEvaluator(r =>
    {
        try
        {
            using var _ = JsonDocument.Parse(StripFence(r.Text));
            return CascadeVerdict.Pass;
        }
        catch (JsonException e)
        {
            return CascadeVerdict.Fail("not JSON: " + e.Message);
        }
    });

    /// <summary>Passes when the reply deserializes to a non-null <typeparamref name="T"/> (web defaults: camelCase, case-insensitive).</summary>
    public static ICascadeEvaluator Json<T>() => new DelegateEvaluator(r =>
    {
        try
        {
            return JsonSerializer.Deserialize<T>(StripFence(r.Text), JsonOptions) is null
                ? CascadeVerdict.Fail($"JSON null, not a {typeof(T).Name}")
                : CascadeVerdict.Pass;
        }
        catch (JsonException e)
        {
            return CascadeVerdict.Fail($"not a {typeof(T).Name}: {e.Message}");
        }
    });

    /// <summary>Passes when the reply is one of <paramref name="labels"/> (case-insensitive; trailing punctuation and quotes ignored).</summary>
    public static ICascadeEvaluator OneOf(params string[] labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Length == 0) throw new ArgumentException("At least one label is needed.", nameof(labels));
        var set = new HashSet<string>(labels.Select(Normalize), StringComparer.Ordinal);
        return new DelegateEvaluator(r => set.Contains(Normalize(r.Text))
            ? CascadeVerdict.Pass
            : CascadeVerdict.Fail($"'{Clip(r.Text)}' is not one of {string.Join(", ", labels)}"));
    }

    /// <summary>Passes when the reply names a member of <typeparamref name="TEnum"/> (case-insensitive, <c>_</c>/<c>-</c>/space ignored).</summary>
    public static ICascadeEvaluator Enum<TEnum>() where TEnum : struct, Enum => OneOf(System.Enum.GetNames<TEnum>());

    /// <summary>Passes when the reply is a yes/no answer: <c>yes</c>, <c>no</c>, <c>true</c> or <c>false</c>.</summary>
    public static ICascadeEvaluator Boolean() => OneOf("yes", "no", "true", "false");

    /// <summary>Passes when the reply has at least <paramref name="characters"/> characters (after trimming).</summary>
    public static ICascadeEvaluator MinLength(int characters)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(characters);
        return new DelegateEvaluator(r =>
        {
            var length = r.Text.Trim().Length;
            return length >= characters ? CascadeVerdict.Pass : CascadeVerdict.Fail($"{length} characters, fewer than {characters}");
        });
    }

    /// <summary>Passes unless the provider cut the answer off (finish reason <c>length</c>) or its content filter stopped it.</summary>
    public static ICascadeEvaluator NotTruncated() => new DelegateEvaluator(r =>
        r.FinishReason == ChatFinishReason.Length ? CascadeVerdict.Fail("cut off at the output token limit")
        : r.FinishReason == ChatFinishReason.ContentFilter ? CascadeVerdict.Fail("stopped by the content filter")
        : CascadeVerdict.Pass);

    /// <summary>A caller's check: passes when <paramref name="predicate"/> returns true.</summary>
    public static ICascadeEvaluator From(Func<ChatResponse, bool> predicate, string failureReason = "the caller's check failed")
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return new DelegateEvaluator(r => predicate(r) ? CascadeVerdict.Pass : CascadeVerdict.Fail(failureReason));
    }

    /// <summary>A caller's asynchronous check, with the full context (for instance an LLM judge).</summary>
    public static ICascadeEvaluator From(Func<ChatResponse, CascadeContext, CancellationToken, ValueTask<CascadeVerdict>> evaluate)
    {
        ArgumentNullException.ThrowIfNull(evaluate);
        return new AsyncDelegateEvaluator(evaluate);
    }

    /// <summary>Passes when every one of <paramref name="evaluators"/> passes (checked in order; the first failure is the reason).</summary>
    public static ICascadeEvaluator All(params ICascadeEvaluator[] evaluators)
    {
        ArgumentNullException.ThrowIfNull(evaluators);
        if (evaluators.Any(e => e is null)) throw new ArgumentException("An evaluator is null.", nameof(evaluators));
        return new AsyncDelegateEvaluator(async (r, c, ct) =>
        {
            foreach (var e in evaluators)
            {
                var v = await e.EvaluateAsync(r, c, ct).ConfigureAwait(false);
                if (!v.Passed) return v;
            }

            return CascadeVerdict.Pass;
        });
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    internal static string StripFence(string reply)
    {
        var s = reply.Trim();
        if (!s.StartsWith("```", StringComparison.Ordinal)) return s;
        var firstLine = s.IndexOf('\n', StringComparison.Ordinal);
        var close = s.LastIndexOf("```", StringComparison.Ordinal);
        return firstLine >= 0 && close > firstLine ? s[(firstLine + 1)..close].Trim() : s;
    }

    private static string Normalize(string text)
    {
        var s = StripFence(text).Trim().Trim('"', '\'', '`', '*', '.', '!', '?', ',', ';', ':');
        return new string(s.Where(c => c is not ('_' or '-' or ' ')).Select(char.ToLowerInvariant).ToArray());
    }

    private static string Clip(string s) => s.Length <= 60 ? s : string.Concat(s.AsSpan(0, 60), "…");

    private sealed class DelegateEvaluator(Func<ChatResponse, CascadeVerdict> evaluate) : ICascadeEvaluator
    {
        public ValueTask<CascadeVerdict> EvaluateAsync(ChatResponse response, CascadeContext context, CancellationToken cancellationToken) =>
            ValueTask.FromResult(evaluate(response));
    }

    private sealed class AsyncDelegateEvaluator(Func<ChatResponse, CascadeContext, CancellationToken, ValueTask<CascadeVerdict>> evaluate) : ICascadeEvaluator
    {
        public ValueTask<CascadeVerdict> EvaluateAsync(ChatResponse response, CascadeContext context, CancellationToken cancellationToken) =>
            evaluate(response, context, cancellationToken);
    }
}
