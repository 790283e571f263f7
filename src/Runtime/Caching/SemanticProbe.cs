using Microsoft.Extensions.AI;
using PromptOps.Caching.Semantic;

namespace PromptOps.Caching;

/// <summary>
/// The outcome of <see cref="SemanticCacheTier.ProbeAsync"/>: which request it is and its vector (null when the
/// request was not embedded), and the answer of a similar one (null on a miss).
/// </summary>
internal readonly record struct SemanticProbe(SemanticRequest? Request, float[]? Vector, ChatResponse? Hit);
