using StackExchange.Redis;

namespace PromptOps.Caching.Redis;

/// <summary>What PromptOps.Redis does with <see cref="RedisOptions"/>: checks the connection string and makes the StackExchange.Redis options.</summary>
public static class RedisOptionsExtensions
{
    /// <summary>
    /// The problem StackExchange.Redis finds in <see cref="RedisOptions.Configuration"/>, naming the bad value; empty when
    /// it parses or is not set. (<see cref="RedisOptions.GetErrors"/> checks the rest.)
    /// </summary>
    public static IEnumerable<string> GetConnectionStringErrors(this RedisOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.IsConfigured) yield break;
        string? parseError = null;
        try
        {
            ConfigurationOptions.Parse(options.Configuration!);
        }
        catch (Exception e) when (e is ArgumentException or RedisConnectionException)
        {
            parseError = $"PromptOps:Redis:Configuration '{options.Configuration}' is not a valid StackExchange.Redis configuration: {e.Message}";
        }

        if (parseError is not null) yield return parseError;
    }

    /// <summary>
    /// The StackExchange.Redis options PromptOps connects with: commands fail fast while the server is down (no
    /// backlog, so a dead Redis costs a request nothing), the connection keeps retrying in the background, and a
    /// missing server at start-up does not stop the application.
    /// </summary>
    public static ConfigurationOptions ToConfigurationOptions(this RedisOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var o = ConfigurationOptions.Parse(options.Configuration ?? throw new InvalidOperationException("PromptOps:Redis:Configuration is not set."));
        var ms = (int)Math.Max(1, options.OperationTimeout.TotalMilliseconds);
        o.AbortOnConnectFail = false;
        o.BacklogPolicy = BacklogPolicy.FailFast;
        o.ConnectTimeout = Math.Max(ms, 1000);
        o.AsyncTimeout = ms;
        o.SyncTimeout = ms;
        o.ReconnectRetryPolicy = new LinearRetry(500);
        return o;
    }
}
