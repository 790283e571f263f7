using PromptOps.Budgets;
using PromptOps.Budgets.Redis;

namespace PromptOps.Benchmarks.Figures;

/// <summary>Budget reservations: in memory (<see cref="BudgetReserveBenchmarks"/>) and in Redis (<see cref="RedisLatencyProbe"/>'s operations), interleaved.</summary>
internal static class BudgetFigures
{
    private const string Limiter = "`ConcurrencyLimiter` acquire + release";
    private const string Single = "`CostBudget` reserve + settle (hour, day, month)";
    private const string Scoped = "`CostBudget` scoped reserve + settle (+ tenant and user day, month)";
    private const string Store = "`InMemoryBudgetStore` reserve + settle";
    private const string Incr = "`INCRBYFLOAT` round trip";
    private const string Reserve1 = "reserve, 1 window";
    private const string Reserve3 = "reserve, hour + day + month";

    public static async Task<FigureOutput> InMemoryAsync()
    {
        var bench = new BudgetReserveBenchmarks();
        bench.Setup();
        InterleavedResult result;
        try
        {
            // Each call: 2 threads × 1,000 pairs on one shared budget; times and bytes are per pair.
            result = await Interleaved.RunAsync(
            [
                TimedOperation.Sync(Limiter, bench.ConcurrencyLimiter_acquire_release, 2_000, AllocationScope.Process),
                TimedOperation.Sync(Single, bench.CostBudget_reserve_settle, 2_000, AllocationScope.Process),
                TimedOperation.Sync(Scoped, bench.CostBudget_scoped_reserve_settle, 2_000, AllocationScope.Process),
                TimedOperation.Sync(Store, bench.InMemoryStore_reserve_settle, 2_000, AllocationScope.Process),
            ], new InterleavedSettings(Repeats: 7, RoundsPerRepeat: 15, Warmup: TimeSpan.FromSeconds(3), SampleTime: TimeSpan.FromMilliseconds(20), AllocationCalls: 8, Clock: Clock.ProcessCpu)).ConfigureAwait(false);
        }
        finally
        {
            bench.Cleanup();
        }

        var scopedOverSingle = result.Ratio(Scoped, Single);
        var block = $"""
            {Tables.Comparison(result, "Pair on 2 threads sharing one budget")}
            Scoped / single-scope reserve + settle (goal ≤ 1.3×, issue #19): {Format.Ratio(scopedOverSingle)}, {Tables.Verdict(scopedOverSingle, 1.3, atMost: true)}.
            """;
        return new FigureOutput(block,
        [
            $"| Budget reserve + settle in memory, 2 threads | `ConcurrencyLimiter` acquire + release | {Format.TimeSpread(result.Time(Single))} per pair ({Format.Speed(result.Ratio(Single))}); scoped {Format.Ratio(scopedOverSingle)} the single-scope pair | scoped ≤ 1.3× single: {Tables.Verdict(scopedOverSingle, 1.3, atMost: true).Replace("**", string.Empty, StringComparison.Ordinal)} |",
        ]);
    }

    public static async Task<FigureOutput> RedisAsync()
    {
        using var server = RedisProcess.Start();
        var db = server.Redis.GetDatabase();
        var store = new RedisBudgetStore(server.Redis, "bench:");
        var (daily, three) = RedisLatencyProbe.Charges(DateTimeOffset.UtcNow);
        var dailyLeases = new List<string>();
        var threeLeases = new List<string>();

        // A reserve's lease is settled after its sample, untimed, so the lease set holds only calls in flight, as in a service.
        async Task<string> ReserveAsync(BudgetCharge[] charges)
        {
            var now = DateTimeOffset.UtcNow;
            var reservation = await store.TryReserveAsync(charges, now, now.AddMinutes(10), default).ConfigureAwait(false);
            return reservation.LeaseId ?? throw new InvalidOperationException("A reserve under a limit that never refuses was refused.");
        }

        Func<ValueTask> SettleAll(List<string> leases, BudgetCharge[] charges) => async () =>
        {
            var actual = charges.Select(_ => 6_000_000L).ToArray();
            foreach (var lease in leases) await store.SettleAsync(lease, charges, actual, default).ConfigureAwait(false);
            leases.Clear();
        };

        var result = await Interleaved.RunAsync(
        [
            new TimedOperation(Incr, async () => await db.StringIncrementAsync("bench:plain", 0.01005).ConfigureAwait(false), Allocation: AllocationScope.None),
            new TimedOperation(Reserve1, async () => dailyLeases.Add(await ReserveAsync(daily).ConfigureAwait(false)), Allocation: AllocationScope.None,
                AfterSample: SettleAll(dailyLeases, daily)),
            new TimedOperation(Reserve3, async () => threeLeases.Add(await ReserveAsync(three).ConfigureAwait(false)), Allocation: AllocationScope.None,
                AfterSample: SettleAll(threeLeases, three)),
        ], new InterleavedSettings(Repeats: 7, RoundsPerRepeat: 15, Warmup: TimeSpan.FromSeconds(3), SampleTime: TimeSpan.FromMilliseconds(10))).ConfigureAwait(false);

        var one = result.Ratio(Reserve1);
        var threeWindows = result.Ratio(Reserve3);
        var block = $"""
            {Tables.Comparison(result, "Call to a local redis-server (loopback)")}
            Goal: a reserve ≤ 1.5× a plain `INCRBYFLOAT` round trip — one window {Format.Ratio(one)}, {Tables.Verdict(one, 1.5, atMost: true)}; hour + day + month {Format.Ratio(threeWindows)}, {Tables.Verdict(threeWindows, 1.5, atMost: true)}.
            Times are means of a sample's consecutive calls (the median of the samples per repeat); `--redis-latency` gives per-call percentiles and the server's own time per command.
            """;
        string Plain(string s) => s.Replace("**", string.Empty, StringComparison.Ordinal);
        return new FigureOutput(block,
        [
            $"| Budget reserve in Redis | plain `INCRBYFLOAT` round trip (loopback) | one window {Format.Ratio(one)}; hour + day + month {Format.Ratio(threeWindows)} | ≤ 1.5×: {Plain(Tables.Verdict(one, 1.5, atMost: true))} (one window), {Plain(Tables.Verdict(threeWindows, 1.5, atMost: true))} (three) |",
        ]);
    }
}
