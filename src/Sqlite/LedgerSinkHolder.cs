using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PromptOps.Usage;
using PromptOps.Usage.Sqlite;

namespace PromptOps;

/// <summary>
/// Opens the SQLite ledger of <c>PromptOps:Ledger:SqlitePath</c> on first use (none when the path is not set). Owned by
/// the container, which disposes it — flushing every queued record — when the application stops.
/// </summary>
internal sealed class LedgerSinkHolder : IAsyncDisposable, IDisposable
{
    private readonly Lazy<SqliteUsageSink?> _sink;

    public LedgerSinkHolder(IServiceProvider services) =>
        _sink = new(() =>
        {
            var options = services.GetRequiredService<IOptions<PromptOpsOptions>>().Value.Ledger;
            return options.IsSqliteEnabled
                ? new SqliteUsageSink(options, services.GetService<PromptOpsMetrics>(), services.GetService<TimeProvider>(),
                    services.GetService<ILoggerFactory>()?.CreateLogger<SqliteUsageSink>())
                : null;
        });

    public SqliteUsageSink? Sink => _sink.Value;

    public ValueTask DisposeAsync() => _sink.IsValueCreated && _sink.Value is { } s ? s.DisposeAsync() : ValueTask.CompletedTask;

    public void Dispose()
    {
        if (_sink.IsValueCreated) _sink.Value?.Dispose();
    }
}
