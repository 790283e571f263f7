using Microsoft.Extensions.AI;

namespace PromptOps.Routing;

/// <summary>The per-request cascade settings a caller may put on <see cref="ChatOptions"/>.</summary>
/// <param name="Evaluator">Judges each level's answer.</param>
public sealed record CascadeRequest(ICascadeEvaluator Evaluator);
