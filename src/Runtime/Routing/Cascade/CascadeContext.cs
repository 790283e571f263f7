using Microsoft.Extensions.AI;

namespace PromptOps.Routing;

/// <summary>What an evaluator may look at besides the answer.</summary>
/// <param name="Messages">The request's messages.</param>
/// <param name="Options">The options the level was called with (its <see cref="ChatOptions.ModelId"/> is the level's model).</param>
/// <param name="Level">The 0-based cascade level that produced the answer.</param>
/// <param name="IsLastLevel">True for the last level (its answer is returned whatever the verdict).</param>
public sealed record CascadeContext(IReadOnlyList<ChatMessage> Messages, ChatOptions Options, int Level, bool IsLastLevel);
