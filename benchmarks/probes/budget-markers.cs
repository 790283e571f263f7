// Run: dotnet run benchmarks/probes/budget-markers.cs (a file-based app; prints the retained heap per settled lease).
#:project ../../src/Runtime/PromptOps.Runtime.csproj
#:property NoWarn=PROMPTOPS001;CA1515;CA2007;CA1305;CA1031;CA1849
using PromptOps.Budgets;

// Bytes held per settled lease by InMemoryBudgetStore (the replay markers and what else a settled lease leaves behind),
// measured as retained heap after a full GC: 200,000 reserve + settle pairs on one daily counter.
var store = new InMemoryBudgetStore();
var options = new CostBudgetOptions { DailyLimitUsd = 1_000_000m };
var budget = new CostBudget(options, store);
for (var i = 0; i < 1000; i++) await budget.SettleAsync(await budget.ReserveAsync("gpt-4o-mini", 0.0001m), 0.0001m); // warm-up
GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
var before = GC.GetTotalMemory(true);
const int N = 200_000;
for (var i = 0; i < N; i++) await budget.SettleAsync(await budget.ReserveAsync("gpt-4o-mini", 0.0001m), 0.0001m);
GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
var after = GC.GetTotalMemory(true);
Console.WriteLine($"retained per settled lease: {(after - before) / (double)N:F1} B ({N:N0} settles, {(after - before) / 1024.0 / 1024.0:F1} MiB)");
GC.KeepAlive(store);
