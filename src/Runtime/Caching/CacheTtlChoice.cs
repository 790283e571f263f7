namespace PromptOps.Caching;

/// <summary>How long an answer is stored, why (<see cref="CacheTtlReasons"/>), and whether hits may extend it.</summary>
internal readonly record struct CacheTtlChoice(TimeSpan Ttl, string Reason, bool Extendable, bool TimeSensitive = false);
