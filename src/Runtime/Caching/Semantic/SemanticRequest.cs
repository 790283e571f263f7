namespace PromptOps.Caching.Semantic;

/// <summary>A request the semantic layer applies to: its partition key, the user text it embeds and the threshold in force.</summary>
internal sealed record SemanticRequest(string Partition, string Text, float Threshold);
