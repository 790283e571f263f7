using Microsoft.Extensions.AI;

namespace PromptOps.Routing;

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
