namespace PromptOps.Caching.Redis;

/// <summary>The JSON source-generation context of <see cref="RedisVectorSetSemanticStore"/>'s element attributes.</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(RedisVectorSetSemanticStore.Attributes))]
internal sealed partial class AttributesContext : System.Text.Json.Serialization.JsonSerializerContext;
