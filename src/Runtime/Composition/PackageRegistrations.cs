using Microsoft.Extensions.DependencyInjection;

namespace PromptOps;

/// <summary>
/// Which optional PromptOps packages registered themselves, so that configuration meant for one of them is never lost in
/// silence: <c>PromptOps:Redis:Configuration</c> without <c>services.AddPromptOpsRedis()</c>, or
/// <c>PromptOps:Ledger:SqlitePath</c> without <c>services.AddPromptOpsSqliteLedger()</c>, fails at start-up
/// (<see cref="PackageRegistrationValidator"/>) and when the pipeline is built, naming the package and the call.
/// </summary>
internal static class PackageRegistrations
{
    /// <summary>The problems of <paramref name="options"/> against what <paramref name="services"/> holds; empty when none.</summary>
    public static IReadOnlyList<string> GetErrors(IServiceProvider services, PromptOpsOptions options)
    {
        List<string>? errors = null;
        if (options.Redis.IsConfigured && services.GetService<RedisPackageMarker>() is null)
        {
            (errors ??= []).Add("PromptOps:Redis:Configuration is set, but Redis is not registered: install the PromptOps.Redis package and call services.AddPromptOpsRedis() after services.AddPromptOps(…) (or remove the setting).");
        }

        if (options.Ledger.IsSqliteEnabled && services.GetService<SqliteLedgerPackageMarker>() is null)
        {
            (errors ??= []).Add("PromptOps:Ledger:SqlitePath is set, but the SQLite ledger is not registered: install the PromptOps.Sqlite package and call services.AddPromptOpsSqliteLedger() after services.AddPromptOps(…) (or remove the setting).");
        }

        return errors ?? (IReadOnlyList<string>)[];
    }

    /// <summary>Throws an <see cref="InvalidOperationException"/> listing the problems of <see cref="GetErrors"/>, if there is any.</summary>
    public static void ThrowIfMissing(IServiceProvider services, PromptOpsOptions options)
    {
        var errors = GetErrors(services, options);
        if (errors.Count > 0) throw new InvalidOperationException(string.Join(" ", errors));
    }
}
