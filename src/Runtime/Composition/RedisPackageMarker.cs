namespace PromptOps;

/// <summary>Registered by <c>AddPromptOpsRedis</c> (PromptOps.Redis).</summary>
internal sealed class RedisPackageMarker;
