using System.Diagnostics;
using System.Globalization;
using PromptOps.Budgets;
using PromptOps.Budgets.Redis;
using StackExchange.Redis;

namespace PromptOps.Benchmarks;

/// <summary>
/// <c>--redis-latency [rounds]</c>: the Redis budget store's round trips against a plain <c>INCRBYFLOAT</c>, measured
/// <em>interleaved</em> — each round times one call of every operation, in an order that rotates from round to round —
/// so that drift in the machine's load (other processes, CPU frequency) hits every row alike; BenchmarkDotNet measures
/// its rows one after another, minutes apart, which on a shared 2-core machine moved the anchor alone by 1.5×. Prints
/// percentiles per operation and the ratio of medians to the anchor, then each operation's server-side time
/// (<c>INFO commandstats</c>, its own phase) so the client's and the server's shares can be told apart.
/// </summary>
internal static class RedisLatencyProbe
{
    private const string Anchor = "INCRBYFLOAT (anchor)";
    private const string AwaitedAnchor = "INCRBYFLOAT awaited in an async method";

    /// <summary>
    /// A store method that does one <c>INCRBYFLOAT</c>: what the anchor costs when it is wrapped the way every store
    /// operation is (an async method that awaits the client's task; its continuation is one more thread-pool hop).
    /// </summary>
    private static async ValueTask<double> AwaitedIncrbyfloatAsync(IDatabase db) =>
        await db.StringIncrementAsync("bench:plain", 0.01005).ConfigureAwait(false);

    /// <summary>The charges of the benchmarks: one daily window, and hour + day + month (limits that never refuse).</summary>
    public static (BudgetCharge[] Daily, BudgetCharge[] ThreeWindows) Charges(DateTimeOffset now) =>
    (
        [new("{budget-1}:d", 10_050_000, long.MaxValue / 4, now.AddDays(2))],
        [
            new(CostBudget.Key(BudgetWindow.Hour, now), 10_050_000, long.MaxValue / 4, now.AddDays(2)),
            new(CostBudget.Key(BudgetWindow.Day, now), 10_050_000, long.MaxValue / 4, now.AddDays(2)),
            new(CostBudget.Key(BudgetWindow.Month, now), 10_050_000, long.MaxValue / 4, now.AddDays(2)),
        ]);

    public static async Task RunAsync(int rounds)
    {
        using var server = RedisProcess.Start();
        var db = server.Redis.GetDatabase();
        var store = new RedisBudgetStore(server.Redis, "bench:");
        var (daily, three) = Charges(DateTimeOffset.UtcNow);
        long[] actual = [6_000_000, 6_000_000, 6_000_000];
        long[] actualDaily = [6_000_000];
        string? pendingLease = null;
        var pendingDaily = new List<string>();

        // Each operation; reserve 3 leaves its lease for the settle row, and every other lease is settled untimed, so
        // the lease sets stay as small as they are in a service (only calls in flight).
        var operations = new (string Name, Func<Task> Call)[]
        {
            (Anchor, () => db.StringIncrementAsync("bench:plain", 0.01005)),
            ("script 'return 1' (EVALSHA floor)", () => db.ScriptEvaluateAsync("return 1")),
            (AwaitedAnchor, async () => await AwaitedIncrbyfloatAsync(db).ConfigureAwait(false)),
            ("reserve, 1 window", async () =>
            {
                var now = DateTimeOffset.UtcNow;
                var r = await store.TryReserveAsync(daily, now, now.AddMinutes(10), default).ConfigureAwait(false);
                pendingDaily.Add(r.LeaseId!);
            }),
            ("reserve, 3 windows", async () =>
            {
                var now = DateTimeOffset.UtcNow;
                pendingLease = (await store.TryReserveAsync(three, now, now.AddMinutes(10), default).ConfigureAwait(false)).LeaseId;
            }),
            // Settles the lease of this round's 3-window reserve (skipped in rounds where the reserve comes later).
            ("settle, 3 windows", async () =>
            {
                await store.SettleAsync(pendingLease!, three, actual, default).ConfigureAwait(false);
                pendingLease = null;
            }),
        };

        var samples = operations.Select(_ => new List<double>(rounds)).ToArray();
        var warmup = Math.Max(500, rounds / 10);
        for (var round = 0; round < warmup + rounds; round++)
        {
            for (var k = 0; k < operations.Length; k++)
            {
                var i = (round + k) % operations.Length;
                if (operations[i].Name == "settle, 3 windows" && pendingLease is null) continue; // its reserve comes later in this round
                var start = Stopwatch.GetTimestamp();
                await operations[i].Call().ConfigureAwait(false);
                var elapsed = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
                if (round >= warmup) samples[i].Add(elapsed);
            }

            foreach (var lease in pendingDaily) await store.SettleAsync(lease, daily, actualDaily, default).ConfigureAwait(false);
            pendingDaily.Clear();
        }

        var anchorMedian = Percentile(samples[0], 0.5);
        var anchorMean = samples[0].Average();
        Console.WriteLine($"Client round trips, {rounds:N0} interleaved rounds ({warmup:N0} warm-up), µs:");
        Console.WriteLine();
        Console.WriteLine("| operation | n | median | p90 | p99 | mean | median ratio | mean ratio |");
        Console.WriteLine("|---|--:|--:|--:|--:|--:|--:|--:|");
        for (var i = 0; i < operations.Length; i++)
        {
            var s = samples[i];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {operations[i].Name} | {s.Count:N0} | {Percentile(s, 0.5):F1} | {Percentile(s, 0.9):F1} | {Percentile(s, 0.99):F1} | {s.Average():F1} | {Percentile(s, 0.5) / anchorMedian:F2}× | {s.Average() / anchorMean:F2}× |"));
        }

        // Server side: each operation alone, 5,000 calls between CONFIG RESETSTAT and INFO commandstats.
        Console.WriteLine();
        Console.WriteLine("Server time per call (INFO commandstats over 5,000 calls of each operation alone), µs:");
        Console.WriteLine();
        Console.WriteLine("| operation | command | server µs/call |");
        Console.WriteLine("|---|---|--:|");
        using var admin = server.ConnectAdmin();
        var redisServer = admin.GetServers()[0];
        const int N = 5_000;

        async Task<List<string>> ReserveAllAsync(BudgetCharge[] charges)
        {
            var leases = new List<string>(N);
            for (var n = 0; n < N; n++)
            {
                var now = DateTimeOffset.UtcNow;
                leases.Add((await store.TryReserveAsync(charges, now, now.AddMinutes(10), default).ConfigureAwait(false)).LeaseId!);
            }

            return leases;
        }

        async Task SettleAllAsync(List<string> leases, BudgetCharge[] charges, long[] amounts)
        {
            foreach (var lease in leases) await store.SettleAsync(lease, charges, amounts, default).ConfigureAwait(false);
        }

        async Task ServerTimeAsync(string name, string command, Func<Task> run)
        {
            await redisServer.ExecuteAsync("CONFIG", "RESETSTAT").ConfigureAwait(false);
            await run().ConfigureAwait(false);
            var (calls, usec) = await UsecAsync(redisServer, command).ConfigureAwait(false);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {command.ToUpperInvariant()} | {(double)usec / Math.Max(1, calls):F2} |"));
        }

        await ServerTimeAsync(Anchor, "incrbyfloat", async () =>
        {
            for (var n = 0; n < N; n++) await db.StringIncrementAsync("bench:plain", 0.01005).ConfigureAwait(false);
        }).ConfigureAwait(false);
        await ServerTimeAsync("script 'return 1' (EVALSHA floor)", "evalsha", async () =>
        {
            for (var n = 0; n < N; n++) await db.ScriptEvaluateAsync("return 1").ConfigureAwait(false);
        }).ConfigureAwait(false);
        List<string> leases = [];
        await ServerTimeAsync("reserve, 1 window", "evalsha", async () => leases = await ReserveAllAsync(daily).ConfigureAwait(false)).ConfigureAwait(false);
        await SettleAllAsync(leases, daily, actualDaily).ConfigureAwait(false);
        await ServerTimeAsync("reserve, 3 windows", "evalsha", async () => leases = await ReserveAllAsync(three).ConfigureAwait(false)).ConfigureAwait(false);
        await ServerTimeAsync("settle, 3 windows", "evalsha", () => SettleAllAsync(leases, three, actual)).ConfigureAwait(false);
    }

    private static async Task<(long Calls, long Usec)> UsecAsync(IServer server, string command)
    {
        var info = (string)(await server.ExecuteAsync("INFO", "commandstats").ConfigureAwait(false))!;
        foreach (var line in info.Split('\n'))
        {
            if (!line.StartsWith("cmdstat_" + command + ":", StringComparison.Ordinal)) continue;
            long calls = 0, usec = 0;
            foreach (var part in line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim().Split(','))
            {
                var kv = part.Split('=');
                if (kv[0] == "calls") calls = long.Parse(kv[1], CultureInfo.InvariantCulture);
                if (kv[0] == "usec") usec = long.Parse(kv[1], CultureInfo.InvariantCulture);
            }

            return (calls, usec);
        }

        return (0, 0);
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];
    }
}
