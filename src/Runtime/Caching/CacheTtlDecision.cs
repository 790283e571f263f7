using Microsoft.Extensions.AI;

namespace PromptOps.Caching;

/// <summary>
/// Why an answer was stored with the TTL it got: the values of <see cref="Usage.UsageRecord.CacheTtlReason"/>. A
/// time-sensitive request's reason names the marker found: <c>time_sensitive:today</c>, <c>time_sensitive:現在</c>.
/// </summary>
public static class CacheTtlReasons
{
    /// <summary>The request's own TTL (<see cref="PromptOpsMetadata.CacheTtl"/>: the <c>[Prompt(CacheTtl = …)]</c> of a generated call).</summary>
    public const string Prompt = "prompt";

    /// <summary>The request set no TTL: <see cref="PromptCacheOptions.DefaultTtl"/>.</summary>
    public const string Options = "options";

    /// <summary>The request asks about the present: <see cref="PromptCacheOptions.TimeSensitiveTtl"/> (followed by <c>:</c> and the marker).</summary>
    public const string TimeSensitive = "time_sensitive";
}
