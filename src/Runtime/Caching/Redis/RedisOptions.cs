using StackExchange.Redis;

namespace PromptOps.Caching.Redis;

/// <summary>Options of the Redis connection (configuration section <c>PromptOps:Redis</c>).</summary>
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
        if (IsConfigured)
        {
            string? error = null;
            try
            {
                ConfigurationOptions.Parse(Configuration!);
            }
            catch (Exception e) when (e is ArgumentException or RedisConnectionException)
            {
                error = $"PromptOps:Redis:Configuration '{Configuration}' is not a valid StackExchange.Redis configuration: {e.Message}";
            }

            if (error is not null) yield return error;
        }
    }

    /// <summary>
    /// The StackExchange.Redis options PromptOps connects with: commands fail fast while the server is down (no
    /// backlog, so a dead Redis costs a request nothing), the connection keeps retrying in the background, and a
    /// missing server at start-up does not stop the application.
    /// </summary>
    public ConfigurationOptions ToConfigurationOptions()
    {
        var o = ConfigurationOptions.Parse(Configuration ?? throw new InvalidOperationException("PromptOps:Redis:Configuration is not set."));
        var ms = (int)Math.Max(1, OperationTimeout.TotalMilliseconds);
        o.AbortOnConnectFail = false;
        o.BacklogPolicy = BacklogPolicy.FailFast;
        o.ConnectTimeout = Math.Max(ms, 1000);
        o.AsyncTimeout = ms;
        o.SyncTimeout = ms;
        o.ReconnectRetryPolicy = new LinearRetry(500);
        return o;
    }

    /// <summary>A copy that can be changed without changing this instance.</summary>
    public RedisOptions Clone() => (RedisOptions)MemberwiseClone();
}
