using Microsoft.Data.Sqlite;

namespace PromptOps.Batching.Tests.Infrastructure;

/// <summary>
/// A test class with its own loopback batch server and temporary directory (removed afterwards, SQLite pools cleared so
/// no file stays open), and a read-only query on the SQLite ledger there.
/// </summary>
/// <param name="name">Names the temporary directory.</param>
/// <param name="createDirectory">False when the test leaves creating it to the store (which must create a missing directory).</param>
public abstract class BatchServerTest(string name, bool createDirectory = true) : IAsyncLifetime
{
    /// <summary>The test's temporary directory.</summary>
    protected string Dir { get; } = Path.Combine(Path.GetTempPath(), $"promptops-{name}-{Guid.NewGuid():N}");

    /// <summary>The SQLite ledger file in <see cref="Dir"/>.</summary>
    protected string Db => Path.Combine(Dir, "ledger.db");

    /// <summary>The loopback batch server.</summary>
    private protected BatchApiServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (createDirectory) Directory.CreateDirectory(Dir);
        Server = await BatchApiServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(Dir)) Directory.Delete(Dir, recursive: true);
    }

    /// <summary>The first value of <paramref name="sql"/> on the ledger <see cref="Db"/>, as invariant text.</summary>
    protected string Scalar(string sql) => Scalar(Db, sql);

    /// <summary>The first value of <paramref name="sql"/> on the ledger file <paramref name="db"/> (read-only, unpooled), as invariant text.</summary>
    protected static string Scalar(string db, string sql)
    {
        using var c = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
        c.Open();
        using var q = c.CreateCommand();
        q.CommandText = sql;
        return Convert.ToString(q.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture)!;
    }
}
