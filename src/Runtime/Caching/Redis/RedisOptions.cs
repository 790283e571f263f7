namespace PromptOps.Caching.Redis;

/// <summary>
/// Options of the Redis connection (configuration section <c>PromptOps:Redis</c>). They live in the core package so the
/// section binds, and a configured connection is noticed, without PromptOps.Redis: building the pipeline with
/// <see cref="Configuration"/> set but without <c>services.AddPromptOpsRedis()</c> fails, naming the package. The
/// connection string is parsed (and the StackExchange.Redis options made) by PromptOps.Redis.
/// </summary>
public sealed class RedisOptions
{
    /// <summary>A StackExchange.Redis configuration string (<c>127.0.0.1:6379,password=…</c>); empty: no Redis.</summary>
    public string? Configuration { get; set; }

    /// <summary>Prepended to every key PromptOps writes (an application name), may be empty.</summary>
    public string KeyPrefix { get; set; } = string.Empty;

    /// <summary>The most time one Redis operation may take before it counts as a failure. Default: 1 second.</summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>True when a connection is configured.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(Configuration);

    /// <summary>The problems with these options, each naming the bad value; empty when valid.</summary>
    public IEnumerable<string> GetErrors()
    {
        if (OperationTimeout <= TimeSpan.Zero) yield return $"PromptOps:Redis:OperationTimeout must be positive, but is {OperationTimeout}.";
    }

    /// <summary>A copy that can be changed without changing this instance.</summary>
    internal RedisOptions Clone() => (RedisOptions)MemberwiseClone();
}
