using System.Globalization;
using System.Threading.RateLimiting;
using BenchmarkDotNet.Attributes;
using PromptOps.Budgets;
using PromptOps.Budgets.Redis;
using StackExchange.Redis;

namespace PromptOps.Benchmarks;

/// <summary>
/// The budget suites: 30 warm-up iterations (~3 s). The generated benchmark project may take longer than
/// BenchmarkDotNet's default 2-minute build timeout on a shared 2-core machine, so it gets 10 minutes.
/// </summary>
public sealed class BudgetConfig : QuickConfig
{
    public BudgetConfig()
        : base(warmupCount: 30)
    {
        WithBuildTimeout(TimeSpan.FromMinutes(10));
    }
}

/// <summary>
/// In-memory reserve + settle throughput with 2 threads sharing one budget (each invocation: 2 threads × 1,000 pairs;
/// the mean is per pair, so pairs/s = 1 / mean). Anchor: System.Threading.RateLimiting's
/// <see cref="ConcurrencyLimiter"/> acquire + release (the BCL's admit-then-return-the-permit pair, one lock each).
/// Rows: <see cref="CostBudget"/> (3 windows: key strings, worst case in nano-dollars, lease object) and the bare
/// <see cref="InMemoryBudgetStore"/> (charges prepared once).
/// </summary>
[Config(typeof(BudgetConfig))]
public class BudgetReserveBenchmarks
{
    private const int PairsPerThread = 1_000;
    private const int Threads = 2;
    private ConcurrencyLimiter _limiter = null!;
    private CostBudget _budget = null!;
    private CostBudget _scoped = null!;
    private BudgetSubject[] _subjects = null!;
    private InMemoryBudgetStore _store = null!;
    private BudgetCharge[] _charges = null!;

    [GlobalSetup]
    public void Setup()
    {
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = 1_000_000, QueueLimit = 0 });
        _budget = new CostBudget(new CostBudgetOptions { HourlyLimitUsd = 1_000_000m, DailyLimitUsd = 1_000_000m, MonthlyBudgetUsd = 1_000_000m }, new InMemoryBudgetStore());
        // Scoped (#19): the same three application windows plus a tenant's day and month and a user's day and month, over
        // 500 users in 20 tenants (7 counters per request instead of 3).
        _scoped = new CostBudget(new CostBudgetOptions
        {
            HourlyLimitUsd = 1_000_000m, DailyLimitUsd = 1_000_000m, MonthlyBudgetUsd = 1_000_000m,
            Tenants = new ScopeBudgetOptions { Default = new BudgetLimits { DailyLimitUsd = 100_000m, MonthlyBudgetUsd = 100_000m } },
            Users = new ScopeBudgetOptions { Default = new BudgetLimits { DailyLimitUsd = 10_000m, MonthlyBudgetUsd = 10_000m } },
        }, new InMemoryBudgetStore());
        _subjects = [.. Enumerable.Range(0, 500).Select(u => new BudgetSubject("t" + (u % 20), "u" + u, null))];
        _store = new InMemoryBudgetStore();
        var far = DateTimeOffset.UtcNow.AddDays(2);
        _charges = [new("{budget}:h", 10_050_000, long.MaxValue / 4, far), new("{budget}:d", 10_050_000, long.MaxValue / 4, far), new("{budget}:m", 10_050_000, long.MaxValue / 4, far)];
    }

    [GlobalCleanup]
    public void Cleanup() => _limiter.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = Threads * PairsPerThread)]
    public void ConcurrencyLimiter_acquire_release() => OnTwoThreads((Action)(() =>
    {
        for (var i = 0; i < PairsPerThread; i++)
        {
            using var lease = _limiter.AttemptAcquire();
            if (!lease.IsAcquired) throw new InvalidOperationException("refused");
        }
    }));

    [Benchmark(OperationsPerInvoke = Threads * PairsPerThread)]
    public void CostBudget_reserve_settle() => OnTwoThreads(async () =>
    {
        for (var i = 0; i < PairsPerThread; i++)
        {
            var lease = await _budget.ReserveAsync("gpt-4o", 0.01005m).ConfigureAwait(false);
            await _budget.SettleAsync(lease, 0.006m).ConfigureAwait(false);
        }
    });

    /// <summary>The scoped budget: goal ≤ 1.3× <see cref="CostBudget_reserve_settle"/> (issue #19).</summary>
    [Benchmark(OperationsPerInvoke = Threads * PairsPerThread)]
    public void CostBudget_scoped_reserve_settle() => OnTwoThreads(async () =>
    {
        for (var i = 0; i < PairsPerThread; i++)
        {
            var lease = await _scoped.ReserveAsync("gpt-4o", 0.01005m, _subjects[i % _subjects.Length]).ConfigureAwait(false);
            await _scoped.SettleAsync(lease, 0.006m).ConfigureAwait(false);
        }
    });

    [Benchmark(OperationsPerInvoke = Threads * PairsPerThread)]
    public void InMemoryStore_reserve_settle() => OnTwoThreads(async () =>
    {
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < PairsPerThread; i++)
        {
            var r = await _store.TryReserveAsync(_charges, now, now.AddMinutes(10), default).ConfigureAwait(false);
            await _store.SettleAsync(r.LeaseId!, _charges, Actual, default).ConfigureAwait(false);
        }
    });

    private static readonly long[] Actual = [6_000_000, 6_000_000, 6_000_000];

    private static void OnTwoThreads(Action work) => OnTwoThreads(() =>
    {
        work();
        return Task.CompletedTask;
    });

    /// <summary>Runs <paramref name="work"/> on two thread-pool threads at once (the in-memory store completes synchronously).</summary>
    private static void OnTwoThreads(Func<Task> work) => Task.WhenAll(Task.Run(work), Task.Run(work)).GetAwaiter().GetResult();
}

/// <summary>
/// Redis reserve latency: one <see cref="RedisBudgetStore.TryReserveAsync"/> (the check-and-reserve Lua script over
/// hour, day and month: 4 keys; and over one window: 2 keys) against the anchor, one plain <c>INCRBYFLOAT</c> round
/// trip, on the same connection to a real redis-server this suite starts on a free loopback port. Goal: reserve ≤ 1.5×
/// the anchor. Reservations are not settled in the reserve rows (their leases stay in the lease set, as calls in flight
/// would); the reserve + settle row (two round trips) is a data point. BenchmarkDotNet runs the rows one after another,
/// so load that changes between rows moves the ratios; <see cref="RedisLatencyProbe"/> (<c>--redis-latency</c>)
/// measures the same operations interleaved.
/// </summary>
[Config(typeof(BudgetConfig))]
public class RedisBudgetBenchmarks
{
    private RedisProcess _server = null!;
    private IDatabase _db = null!;
    private RedisBudgetStore _store = null!;
    private BudgetCharge[] _charges = null!;
    private BudgetCharge[] _daily = null!;
    private readonly long[] _actual = [6_000_000, 6_000_000, 6_000_000];

    [GlobalSetup]
    public void Setup()
    {
        _server = RedisProcess.Start();
        _db = _server.Redis.GetDatabase();
        _store = new RedisBudgetStore(_server.Redis, "bench:");
        (_daily, _charges) = RedisLatencyProbe.Charges(DateTimeOffset.UtcNow);
    }

    [GlobalCleanup]
    public void Cleanup() => _server.Dispose();

    /// <summary>
    /// The anchor, awaited inside an async method as application code (and the store) does: BenchmarkDotNet blocks on
    /// the returned task, so a row that returns StackExchange.Redis' task directly skips the thread-pool hop that
    /// every async method's continuation takes (see <see cref="Incrbyfloat_task_returned_directly"/>).
    /// </summary>
    [Benchmark(Baseline = true)]
    public async Task<double> Incrbyfloat_round_trip() => await _db.StringIncrementAsync("bench:plain", 0.01005).ConfigureAwait(false);

    /// <summary>The same command with its task returned directly (no async method): the harness effect, for scale.</summary>
    [Benchmark]
    public Task<double> Incrbyfloat_task_returned_directly() => _db.StringIncrementAsync("bench:plain", 0.01005);

    /// <summary>The floor of any script call: <c>EVALSHA</c> of <c>return 1</c> through the same API the store uses.</summary>
    [Benchmark]
    public async Task<RedisResult> Script_return_1() => await _db.ScriptEvaluateAsync("return 1").ConfigureAwait(false);

    [Benchmark]
    public async Task<bool> Reserve_1_window()
    {
        var now = DateTimeOffset.UtcNow;
        var r = await _store.TryReserveAsync(_daily, now, now.AddMinutes(10), default).ConfigureAwait(false);
        return r.IsReserved;
    }

    [Benchmark]
    public async Task<bool> Reserve_3_windows()
    {
        var now = DateTimeOffset.UtcNow;
        var r = await _store.TryReserveAsync(_charges, now, now.AddMinutes(10), default).ConfigureAwait(false);
        return r.IsReserved;
    }

    [Benchmark]
    public async Task Reserve_and_settle_3_windows()
    {
        var now = DateTimeOffset.UtcNow;
        var r = await _store.TryReserveAsync(_charges, now, now.AddMinutes(10), default).ConfigureAwait(false);
        await _store.SettleAsync(r.LeaseId!, _charges, _actual, default).ConfigureAwait(false);
    }
}
