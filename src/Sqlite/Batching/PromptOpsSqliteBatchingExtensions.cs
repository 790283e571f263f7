using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PromptOps.Routing.Batching;
using PromptOps.Routing.Batching.Sqlite;

namespace PromptOps;

/// <summary>Registers the SQLite store of provider batches (package PromptOps.Sqlite).</summary>
[Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
public static class PromptOpsSqliteBatchingExtensions
{
    /// <summary>
    /// Registers <see cref="SqliteProviderBatchStore"/> as the <see cref="IProviderBatchStore"/> of
    /// <c>services.AddPromptOpsBatching(…)</c>, in the database at <paramref name="path"/> — by default the ledger's
    /// (<c>PromptOps:Ledger:SqlitePath</c>), so the batches, their items and the usage records are in one file. Submitted
    /// batches and queued calls then survive a restart: the next start resumes them (with a host, by itself; else
    /// <see cref="ProviderBatchScheduler.ResumeAsync"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">(When resolved) no path is given and <c>PromptOps:Ledger:SqlitePath</c> is not set.</exception>
    public static IServiceCollection AddPromptOpsSqliteBatchStore(this IServiceCollection services, string? path = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.RemoveAll<IProviderBatchStore>();
        services.AddSingleton<IProviderBatchStore>(sp =>
        {
            var file = path ?? sp.GetService<IOptions<PromptOpsOptions>>()?.Value.Ledger.SqlitePath;
            return string.IsNullOrWhiteSpace(file)
                ? throw new InvalidOperationException("AddPromptOpsSqliteBatchStore() needs a database path: pass one or set PromptOps:Ledger:SqlitePath.")
                : new SqliteProviderBatchStore(file);
        });
        return services;
    }
}
