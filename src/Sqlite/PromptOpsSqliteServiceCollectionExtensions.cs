using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PromptOps.Budgets;
using PromptOps.Usage;
using PromptOps.Usage.Sqlite;

namespace PromptOps;

/// <summary>Registers the SQLite usage ledger (package PromptOps.Sqlite).</summary>
public static class PromptOpsSqliteServiceCollectionExtensions
{
    /// <summary>
    /// Registers the SQLite usage ledger of <c>PromptOps:Ledger:SqlitePath</c> as an <see cref="IUsageSink"/>: a
    /// <see cref="SqliteUsageSink"/> opened on first use, which the container flushes and closes when it is disposed. With
    /// no path set, nothing is opened and the registration resolves to null, which the usage meter leaves out. Call it with
    /// <c>services.AddPromptOps(…)</c>, which binds the options; <paramref name="configure"/> adjusts them after binding.
    /// </summary>
    public static IServiceCollection AddPromptOpsSqliteLedger(this IServiceCollection services, Action<LedgerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (configure is not null) services.AddOptions<PromptOpsOptions>().PostConfigure(o => configure(o.Ledger));
        services.TryAddSingleton<SqliteLedgerPackageMarker>();
        services.TryAddSingleton(sp => new LedgerSinkHolder(sp));
        // The ledger itself is the sink; with no path it resolves to null (absent), and the usage meter leaves it out.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IUsageSink, SqliteUsageSink>(sp => sp.GetRequiredService<LedgerSinkHolder>().Sink!));
        // The budget's alerts and actions into the ledger's budget_events (absent, like the sink, with no path).
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IBudgetAlertSink, SqliteUsageSink>(sp => sp.GetRequiredService<LedgerSinkHolder>().Sink!));
        return services;
    }
}
