using Microsoft.Extensions.AI;

namespace PromptOps.Routing;

/// <summary>The verdict of an <see cref="ICascadeEvaluator"/> on one answer.</summary>
/// <param name="Passed">True when the answer is good enough to return.</param>
/// <param name="Reason">Why it failed (or a note on why it passed), for the attempt record and logs.</param>
public readonly record struct CascadeVerdict(bool Passed, string? Reason = null)
{
    /// <summary>The answer is good enough.</summary>
    public static CascadeVerdict Pass { get; } = new(true);

    /// <summary>The answer is not good enough, for <paramref name="reason"/>.</summary>
    public static CascadeVerdict Fail(string reason) => new(false, reason);
}

/// <summary>What an evaluator may look at besides the answer.</summary>
/// <param name="Messages">The request's messages.</param>
/// <param name="Options">The options the level was called with (its <see cref="ChatOptions.ModelId"/> is the level's model).</param>
/// <param name="Level">The 0-based cascade level that produced the answer.</param>
/// <param name="IsLastLevel">True for the last level (its answer is returned whatever the verdict).</param>
public sealed record CascadeContext(IReadOnlyList<ChatMessage> Messages, ChatOptions Options, int Level, bool IsLastLevel);

/// <summary>
/// Judges whether a cascade level's answer is good enough; when it is not, the cascade escalates to the next level.
/// Built-ins are in <see cref="CascadeEvaluators"/>. An evaluator may itself call a model (an LLM judge); that call is
/// not part of the cascade's attempts and should be metered by the client it uses.
/// </summary>
public interface ICascadeEvaluator
{
    /// <summary>Judges <paramref name="response"/>.</summary>
    ValueTask<CascadeVerdict> EvaluateAsync(ChatResponse response, CascadeContext context, CancellationToken cancellationToken);
}
