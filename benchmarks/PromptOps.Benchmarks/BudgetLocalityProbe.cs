using PromptOps.Benchmarks.Figures;
using PromptOps.Budgets;

namespace PromptOps.Benchmarks;

/// <summary>
/// <c>--budget-locality</c>: where the scoped budget pair's extra time goes (#19). The single-scope pair (the anchor) and the
/// scoped pair of <see cref="BudgetReserveBenchmarks"/> (7 counters), interleaved on the process CPU clock: on one thread with
/// 1, 20 and 500 subjects rotating (the per-subject data is in cache, then rarely), and on two threads as in the
/// <c>budget-reserve</c> figure, with the threads walking the 500 users in the same order (the figure's row: both charge the
/// same user's counters at once) and half a rotation apart. Prints a table; writes nothing.
/// </summary>
internal static class BudgetLocalityProbe
{
    private const int PairsPerCall = 2_000;

    public static async Task RunAsync()
    {
        var subjects = Enumerable.Range(0, 500).Select(u => new BudgetSubject("t" + (u % 20), "u" + u, null)).ToArray();
        var result = await Interleaved.RunAsync(
        [
            Op("single-scope pair, 1 thread", Single(), 1, 0, 0),
            Op("scoped pair, 1 thread, 1 subject", Scoped(), 1, 1, 0),
            Op("scoped pair, 1 thread, 20 subjects", Scoped(), 1, 20, 0),
            Op("scoped pair, 1 thread, 500 subjects", Scoped(), 1, 500, 0),
            Op("single-scope pair, 2 threads", Single(), 2, 0, 0),
            Op("scoped pair, 2 threads, 500 subjects in the same order (the figure's row)", Scoped(), 2, 500, 0),
            Op("scoped pair, 2 threads, 500 subjects half a rotation apart", Scoped(), 2, 500, 250),
        ], new InterleavedSettings(Repeats: 5, RoundsPerRepeat: 9, Warmup: TimeSpan.FromSeconds(2), SampleTime: TimeSpan.FromMilliseconds(20), AllocationCalls: 4, Clock: Clock.ProcessCpu)).ConfigureAwait(false);
        Console.WriteLine(Tables.Comparison(result, "Reserve + settle pair"));

        // One call: PairsPerCall pairs, on one thread or split over two (the second starting `offset` subjects further on).
        TimedOperation Op(string name, CostBudget budget, int threads, int rotation, int offset) => TimedOperation.Sync(name, () =>
        {
            var perThread = PairsPerCall / threads;
            if (threads == 1) Pairs(budget, rotation, 0, perThread).GetAwaiter().GetResult();
            else Task.WhenAll(Task.Run(() => Pairs(budget, rotation, 0, perThread)), Task.Run(() => Pairs(budget, rotation, offset, perThread))).GetAwaiter().GetResult();
        }, PairsPerCall, AllocationScope.Process);

        async Task Pairs(CostBudget budget, int rotation, int offset, int count)
        {
            for (var i = 0; i < count; i++)
            {
                var lease = rotation == 0
                    ? await budget.ReserveAsync("gpt-4o", 0.01005m).ConfigureAwait(false)
                    : await budget.ReserveAsync("gpt-4o", 0.01005m, subjects[(i + offset) % rotation]).ConfigureAwait(false);
                await budget.SettleAsync(lease, 0.006m).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The single-scope budget of <see cref="BudgetReserveBenchmarks"/>: the application's hour, day and month.</summary>
    private static CostBudget Single() =>
        new(new CostBudgetOptions { HourlyLimitUsd = 1_000_000m, DailyLimitUsd = 1_000_000m, MonthlyBudgetUsd = 1_000_000m }, new InMemoryBudgetStore());

    /// <summary>The scoped budget of <see cref="BudgetReserveBenchmarks"/>: plus a tenant's and a user's day and month.</summary>
    private static CostBudget Scoped() => new(new CostBudgetOptions
    {
        HourlyLimitUsd = 1_000_000m, DailyLimitUsd = 1_000_000m, MonthlyBudgetUsd = 1_000_000m,
        Tenants = new ScopeBudgetOptions { Default = new BudgetLimits { DailyLimitUsd = 100_000m, MonthlyBudgetUsd = 100_000m } },
        Users = new ScopeBudgetOptions { Default = new BudgetLimits { DailyLimitUsd = 10_000m, MonthlyBudgetUsd = 10_000m } },
    }, new InMemoryBudgetStore());
}
