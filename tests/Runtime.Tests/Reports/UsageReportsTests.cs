using PromptOps.Budgets;
using PromptOps.Caching;
using PromptOps.Knowledge;
using PromptOps.Reports;
using PromptOps.Usage;

namespace PromptOps.Tests.Reports;

/// <summary>
/// Every report against figures computed by hand on a small ledger of nine calls over three days (UTC, March 2026):
/// <code>
/// #  day   time   user   model          endpoint    cost   notes
/// 1  03-01 09:00  alice  gpt-4o         /chat       1.00
/// 2  03-01 09:30  bob    gpt-4o-mini    /classify   0.10
/// 3  03-01 14:00  alice  gpt-4o         /chat       0      L1 cache hit, saved 1.00
/// 4  03-02 09:15  carol  claude-sonnet  /summarize  2.00
/// 5  03-02 10:00  —      gpt-4o-mini    /classify   0.20
/// 6  03-02 10:30  bob    mystery-model  /chat       null   unpriced
/// 7  03-03 14:10  dave   gpt-4o         /chat       0.50
/// 8  03-03 14:20  erin   gpt-4o         /chat       0      refused
/// 9  03-03 14:40  alice  gpt-4o-mini    /classify   0.30
/// </code>
/// Total 4.10 spent, 1.00 saved, one unpriced call, one refusal, one cache hit.
/// </summary>
public sealed class UsageReportsTests
{
    private static readonly DateOnly D1 = new(2026, 3, 1), D2 = new(2026, 3, 2), D3 = new(2026, 3, 3);

    private static UsageRecord R(DateOnly day, int hour, int minute, string? user, string model, string endpoint, decimal? cost,
        long input = 1_000, long output = 100, CacheLayer layer = CacheLayer.None, decimal saved = 0m, UsageOutcome outcome = UsageOutcome.Success) => new()
    {
        Timestamp = new DateTimeOffset(day.ToDateTime(new TimeOnly(hour, minute)), TimeSpan.Zero),
        UserId = user,
        ModelId = model,
        Endpoint = endpoint,
        CostUsd = cost,
        CostSavedUsd = saved,
        InputTokens = input,
        OutputTokens = output,
        CacheLayer = layer,
        Outcome = outcome,
        IsPriced = cost is not null,
    };

    private static readonly UsageRecord[] Small =
    [
        R(D1, 9, 0, "alice", "gpt-4o", "/chat", 1.00m),
        R(D1, 9, 30, "bob", "gpt-4o-mini", "/classify", 0.10m, input: 500, output: 10),
        R(D1, 14, 0, "alice", "gpt-4o", "/chat", 0m, layer: CacheLayer.Memory, saved: 1.00m),
        R(D2, 9, 15, "carol", "claude-sonnet", "/summarize", 2.00m, input: 2_000, output: 200),
        R(D2, 10, 0, null, "gpt-4o-mini", "/classify", 0.20m),
        R(D2, 10, 30, "bob", "mystery-model", "/chat", null, input: 300, output: 30),
        R(D3, 14, 10, "dave", "gpt-4o", "/chat", 0.50m),
        R(D3, 14, 20, "erin", "gpt-4o", "/chat", 0m, input: 0, output: 0, outcome: UsageOutcome.Refused),
        R(D3, 14, 40, "alice", "gpt-4o-mini", "/classify", 0.30m),
    ];

    private static readonly UsageLedger Ledger = UsageLedger.From(Small.Reverse()); // From sorts by time

    [Fact]
    public void The_ledger_sorts_its_records_and_knows_its_period()
    {
        Assert.Equal(Small, Ledger.Records);
        Assert.Equal(new ReportPeriod(D1, D3), Ledger.Period);
        Assert.Null(UsageLedger.From([]).Period);
    }

    [Fact]
    public void Totals_count_the_calls_whose_answer_was_cut_off()
    {
        var records = Small.Take(3).Select((r, i) => i == 0 ? r : r with { Anomalies = i == 1 ? UsageAnomalies.Truncated : UsageAnomalies.Truncated | UsageAnomalies.TokensClamped });
        var report = UsageLedger.From(records).Daily();

        Assert.Equal(2, report.Totals.Truncated);
        Assert.Equal(0, Ledger.Daily().Totals.Truncated);
    }

    [Fact]
    public void Daily_report_by_model_and_endpoint()
    {
        var report = Ledger.Daily();

        Assert.Equal(new ReportPeriod(D1, D3), report.Period);
        Assert.Equal(9, report.Totals.Requests);
        Assert.Equal(4.10m, report.Totals.CostUsd);
        Assert.Equal(1.00m, report.Totals.CostSavedUsd);
        Assert.Equal(1, report.Totals.UnpricedRequests);
        Assert.Equal(1, report.Totals.Refused);
        Assert.Equal(1, report.Totals.CacheHits);
        Assert.Equal(8, report.Totals.Succeeded); // all but the refusal, the cache hit and the unpriced call included
        Assert.Equal(0, report.Totals.Failed);
        Assert.Equal(7_800, report.Totals.InputTokens); // 1000+500+1000+2000+1000+300+1000+0+1000
        Assert.Equal(740, report.Totals.OutputTokens); // 100+10+100+200+100+30+100+0+100

        Assert.Equal([D1, D2, D3], report.Days.Select(d => d.Date));
        Assert.Equal([1.10m, 2.20m, 0.80m], report.Days.Select(d => d.Totals.CostUsd));
        Assert.Equal([3L, 3, 3], report.Days.Select(d => d.Totals.Requests));

        var day1 = report.Days[0];
        Assert.Equal([("gpt-4o", 1.00m, 2L), ("gpt-4o-mini", 0.10m, 1L)], day1.ByModel.Select(b => (b.Key, b.Totals.CostUsd, b.Totals.Requests)));
        Assert.Equal(1.00m / 1.10m, day1.ByModel[0].ShareOfCost);
        Assert.Equal(1.00m, day1.ByModel[0].Totals.CostSavedUsd);
        Assert.Equal([("/chat", 1.00m), ("/classify", 0.10m)], day1.ByEndpoint.Select(b => (b.Key, b.Totals.CostUsd)));

        var day2 = report.Days[1];
        Assert.Equal(["claude-sonnet", "gpt-4o-mini", "mystery-model"], day2.ByModel.Select(b => b.Key));
        Assert.Equal(1, day2.ByModel[2].Totals.UnpricedRequests);
        Assert.Equal(0m, day2.ByModel[2].Totals.CostUsd);
        Assert.Equal(2.00m / 2.20m, day2.ByModel[0].ShareOfCost);

        var day3 = report.Days[2];
        Assert.Equal([("/chat", 0.50m, 2L), ("/classify", 0.30m, 1L)], day3.ByEndpoint.Select(b => (b.Key, b.Totals.CostUsd, b.Totals.Requests)));
        Assert.Equal(1, day3.ByEndpoint[0].Totals.Refused);
    }

    [Fact]
    public void Daily_report_for_a_requested_period_fills_days_without_calls()
    {
        var report = Ledger.Daily(new ReportPeriod(D2, new DateOnly(2026, 3, 5)));

        Assert.Equal([D2, D3, new DateOnly(2026, 3, 4), new DateOnly(2026, 3, 5)], report.Days.Select(d => d.Date));
        Assert.Equal([2.20m, 0.80m, 0m, 0m], report.Days.Select(d => d.Totals.CostUsd));
        Assert.Empty(report.Days[3].ByModel);
        Assert.Equal(3.00m, report.Totals.CostUsd);
    }

    [Fact]
    public void Per_user_report_with_period_daily_costs_and_model_usage()
    {
        var alice = Ledger.User("alice");

        Assert.Equal(new ReportPeriod(D1, D3), alice.Period);
        Assert.Equal(3, alice.Totals.Requests);
        Assert.Equal(1.30m, alice.Totals.CostUsd);
        Assert.Equal(1.00m, alice.Totals.CostSavedUsd);
        Assert.Equal(2, alice.ActiveDays);
        Assert.Equal(1.30m / 3, alice.AverageDailyCostUsd);
        Assert.Equal([new DailyCost(D1, 2, 1.00m), new DailyCost(D2, 0, 0m), new DailyCost(D3, 1, 0.30m)], alice.DailyCosts);
        Assert.Equal([("gpt-4o", 1.00m, 2L), ("gpt-4o-mini", 0.30m, 1L)], alice.Models.Select(m => (m.Key, m.Totals.CostUsd, m.Totals.Requests)));
        Assert.Equal(1.00m / 1.30m, alice.Models[0].ShareOfCost);

        var bob = Ledger.User("bob");
        Assert.Equal(new ReportPeriod(D1, D2), bob.Period); // his own active span
        Assert.Equal(0.10m, bob.Totals.CostUsd);
        Assert.Equal(1, bob.Totals.UnpricedRequests);
        Assert.Equal(["gpt-4o-mini", "mystery-model"], bob.Models.Select(m => m.Key));

        var nobody = Ledger.User("zoe");
        Assert.Null(nobody.Period);
        Assert.Empty(nobody.DailyCosts);
        Assert.Equal(UsageTotals.Empty, nobody.Totals);
    }

    [Fact]
    public void Users_are_listed_by_cost_with_the_unattributed_calls_under_none()
    {
        var users = Ledger.Users();
        Assert.Equal(["carol", "alice", "dave", UsageReports.NoneKey, "bob", "erin"], users.Select(u => u.Key));
        Assert.Equal([2.00m, 1.30m, 0.50m, 0.20m, 0.10m, 0m], users.Select(u => u.Totals.CostUsd));
        Assert.Equal(2.00m / 4.10m, users[0].ShareOfCost);
    }

    [Fact]
    public void Cost_drivers_top_endpoints_top_20_percent_of_users_and_peak_hour()
    {
        var report = Ledger.CostDrivers();

        Assert.Equal([("/summarize", 2.00m, 1L), ("/chat", 1.50m, 5L), ("/classify", 0.60m, 3L)],
            report.TopEndpoints.Select(e => (e.Key, e.Totals.CostUsd, e.Totals.Requests)));
        Assert.Equal(2.00m / 4.10m, report.TopEndpoints[0].ShareOfCost);
        Assert.Equal([("claude-sonnet", 2.00m), ("gpt-4o", 1.50m), ("gpt-4o-mini", 0.60m), ("mystery-model", 0m)],
            report.TopModels.Select(m => (m.Key, m.Totals.CostUsd)));

        Assert.Equal(5, report.Users); // alice, bob, carol, dave, erin
        Assert.Equal(1, report.TopUserCount); // ⌈0.2 × 5⌉
        Assert.Equal(2.00m, report.TopUsersCostUsd); // carol
        Assert.Equal(0.20m, report.UnattributedCostUsd);
        Assert.Equal(2.00m / 3.90m, report.TopUsersShareOfCost);

        Assert.Equal(24, report.ByHour.Count);
        Assert.Equal(new HourlyUsage(9, 3, 3.10m), report.ByHour[9]);
        Assert.Equal(new HourlyUsage(10, 2, 0.20m), report.ByHour[10]);
        Assert.Equal(new HourlyUsage(14, 4, 0.80m), report.ByHour[14]);
        Assert.Equal(9, report.PeakHour);

        var top2 = Ledger.CostDrivers(top: 2, topUserFraction: 0.5);
        Assert.Equal(2, top2.TopEndpoints.Count);
        Assert.Equal(3, top2.TopUserCount); // ⌈0.5 × 5⌉
        Assert.Equal(2.00m + 1.30m + 0.50m, top2.TopUsersCostUsd);
        Assert.Equal(2, top2.TopUsers.Count);
    }

    [Fact]
    public void Peak_hour_ties_go_to_more_requests_then_the_earlier_hour()
    {
        var day = new DateOnly(2026, 1, 1);
        UsageRecord[] records =
        [
            R(day, 8, 0, "a", "m", "/x", 1m), R(day, 20, 0, "a", "m", "/x", 0.5m), R(day, 20, 1, "a", "m", "/x", 0.5m), R(day, 3, 0, "a", "m", "/x", 1m),
        ];
        Assert.Equal(20, UsageReports.CostDrivers(records).PeakHour); // 1.00 in hours 3, 8, 20; hour 20 has two requests
        Assert.Equal(3, UsageReports.CostDrivers(records.Where(r => r.Timestamp.Hour != 20)).PeakHour);
    }

    [Fact]
    public void Unit_cost_against_revenue_and_gross_margin_health()
    {
        var watch = Ledger.UnitEconomics(10.00m);
        Assert.Equal(4.10m, watch.AiCostUsd);
        Assert.Equal(9, watch.Requests);
        Assert.Equal(5, watch.ActiveUsers);
        Assert.Equal(4.10m / 9, watch.CostPerRequestUsd);
        Assert.Equal(0.82m, watch.CostPerActiveUserUsd);
        Assert.Equal(2.00m, watch.RevenuePerActiveUserUsd);
        Assert.Equal(0.41m, watch.AiCostShareOfRevenue);
        Assert.Equal(0.59m, watch.GrossMargin);
        Assert.Equal(MarginHealth.Watch, watch.Health);
        Assert.Equal(1, watch.UnpricedRequests);

        Assert.Equal(MarginHealth.Healthy, Ledger.UnitEconomics(20.00m).Health); // (20 − 4.10) / 20 = 0.795
        var withCogs = Ledger.UnitEconomics(10.00m, options: new UnitEconomicsOptions { OtherCostOfRevenueUsd = 1.00m });
        Assert.Equal(0.49m, withCogs.GrossMargin);
        Assert.Equal(MarginHealth.Unhealthy, withCogs.Health);
        Assert.Equal(-0.64m, Ledger.UnitEconomics(2.50m).GrossMargin); // a loss: (2.50 − 4.10) / 2.50
        Assert.Equal(MarginHealth.Unhealthy, Ledger.UnitEconomics(2.50m).Health);

        var none = Ledger.UnitEconomics(0m);
        Assert.Equal(MarginHealth.NoRevenue, none.Health);
        Assert.Null(none.GrossMargin);
        Assert.Throws<ArgumentOutOfRangeException>(() => Ledger.UnitEconomics(-1m));
        Assert.Throws<ArgumentOutOfRangeException>(() => Ledger.UnitEconomics(1m, options: new UnitEconomicsOptions { WatchGrossMargin = 0.9m }));
    }

    /// <summary>
    /// Eight days: u1 spends 2 a day and 10 on the last day; u2 spends 1 every day. Overall 3 a day and 11 on the last:
    /// mean 4, σ = √((7·1² + 7²) / 8) = √7 ≈ 2.6458. u1: mean 3, σ = √7. u2: σ = 0.
    /// </summary>
    private static UsageRecord[] SpikeLedger()
    {
        var start = new DateOnly(2026, 4, 1);
        var records = new List<UsageRecord>();
        for (var d = 0; d < 8; d++)
        {
            var day = start.AddDays(d);
            records.Add(R(day, 12, 0, "u1", "gpt-4o", "/chat", d == 7 ? 10m : 2m));
            records.Add(R(day, 13, 0, "u2", "gpt-4o", "/chat", 1m));
        }

        return [.. records];
    }

    [Fact]
    public void Anomalies_find_daily_spikes_overall_and_per_user()
    {
        var report = UsageReports.Anomalies(SpikeLedger(), k: 2);
        var sqrt7 = Math.Sqrt(7);

        Assert.Equal(8, report.Overall.Days);
        Assert.True(report.Overall.Evaluated);
        Assert.Equal(4m, report.Overall.MeanUsd);
        Assert.Equal(sqrt7, (double)report.Overall.StdDevUsd, 9);
        Assert.Equal(4 + (2 * sqrt7), (double)report.Overall.ThresholdUsd, 9);
        var spike = Assert.Single(report.Spikes);
        Assert.Equal(new DateOnly(2026, 4, 8), spike.Date);
        Assert.Null(spike.UserId);
        Assert.Equal(11m, spike.CostUsd);
        Assert.Equal(7m, spike.ExcessUsd);
        Assert.Equal(sqrt7, spike.ZScore, 9);

        var user = Assert.Single(report.Users); // u2 never varies: σ = 0, no spike
        Assert.Equal("u1", user.UserId);
        Assert.Equal(3m, user.Stats.MeanUsd);
        Assert.Equal(sqrt7, (double)user.Stats.StdDevUsd, 9);
        Assert.Equal([(new DateOnly(2026, 4, 8), 10m)], user.Spikes.Select(s => (s.Date, s.CostUsd)));
        Assert.Equal("u1", user.Spikes[0].UserId);

        var strict = UsageReports.Anomalies(SpikeLedger(), k: 3); // threshold 4 + 3√7 ≈ 11.94 > 11
        Assert.Empty(strict.Spikes);
        Assert.Empty(strict.Users);
    }

    [Fact]
    public void Anomalies_count_days_without_calls_as_zero_so_a_sudden_user_is_found()
    {
        var records = SpikeLedger().Where(r => r.UserId == "u2").ToList();
        records.Add(R(new DateOnly(2026, 4, 8), 15, 0, "newcomer", "gpt-4o", "/chat", 5m));
        var report = UsageReports.Anomalies(records, k: 2);

        var user = Assert.Single(report.Users);
        Assert.Equal("newcomer", user.UserId);
        Assert.Equal(8, user.Stats.Days);
        Assert.Equal(5m / 8, user.Stats.MeanUsd);
        Assert.Equal(Math.Sqrt(7), user.Spikes[0].ZScore, 9); // a lone spike in n days is √(n − 1) σ above the mean
    }

    [Fact]
    public void Per_user_spikes_too_small_to_matter_to_the_bill_are_not_reported()
    {
        // u2 spends $1 a day (overall mean ≈ $1.00); "sparse" spends $0.05 on one day of eight: z = √7, but its excess
        // ($0.05 − $0.05/8 ≈ $0.044) is under 10% of the overall mean daily cost ($0.10) — noise, not a cost problem.
        var records = SpikeLedger().Where(r => r.UserId == "u2").ToList();
        records.Add(R(new DateOnly(2026, 4, 3), 15, 0, "sparse", "gpt-4o-mini", "/chat", 0.05m));
        Assert.Empty(UsageReports.Anomalies(records, k: 2).Users);

        // Without the floor it is reported; with a larger one-day spend it is reported at the default floor too.
        Assert.Equal("sparse", Assert.Single(UsageReports.Anomalies(records, k: 2, minUserShareOfDailyCost: 0m).Users).UserId);
        records.Add(R(new DateOnly(2026, 4, 3), 16, 0, "sparse", "gpt-4o", "/chat", 0.50m));
        Assert.Equal("sparse", Assert.Single(UsageLedger.From(records).Anomalies(k: 2).Users).UserId);
        Assert.Throws<ArgumentOutOfRangeException>(() => UsageReports.Anomalies(records, minUserShareOfDailyCost: 2m));
    }

    [Fact]
    public void Anomalies_edge_cases_empty_one_day_constant_and_unpriced()
    {
        var empty = UsageReports.Anomalies([]);
        Assert.Null(empty.Period);
        Assert.Equal(0, empty.Overall.Days);
        Assert.False(empty.Overall.Evaluated);
        Assert.Empty(empty.Spikes);

        var oneDay = UsageReports.Anomalies(Small.Where(r => UsageReports.DayOf(r.Timestamp) == D1));
        Assert.Equal(1, oneDay.Overall.Days);
        Assert.False(oneDay.Overall.Evaluated); // fewer than minDays (7)
        Assert.Equal(0m, oneDay.Overall.StdDevUsd);
        Assert.Empty(oneDay.Spikes);

        var constant = UsageReports.Anomalies(SpikeLedger().Where(r => r.UserId == "u2"), k: 0.1);
        Assert.True(constant.Overall.Evaluated);
        Assert.Equal(0m, constant.Overall.StdDevUsd); // σ = 0: every day equals the mean, nothing is a spike
        Assert.Empty(constant.Spikes);

        var unpriced = SpikeLedger().Select(r => r with { CostUsd = null }).ToList();
        var u = UsageReports.Anomalies(unpriced);
        Assert.Equal(0m, u.Overall.MeanUsd);
        Assert.Empty(u.Spikes);

        Assert.Throws<ArgumentOutOfRangeException>(() => UsageReports.Anomalies(Small, k: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => UsageReports.Anomalies(Small, minDays: 1));
    }

    [Fact]
    public void Budget_pace_from_the_ledger_uses_BudgetPace()
    {
        // As of 2026-03-03 12:00 UTC: 2.5 of March's 31 days have passed; spent 1.10 + 2.20 = 3.30 (day 3's calls are
        // later that day). Linear pace of a 31.00 budget: 2.50. Ratio 1.32 → warning.
        var asOf = new DateTimeOffset(2026, 3, 3, 12, 0, 0, TimeSpan.Zero);
        var report = Ledger.BudgetPace(31.00m, asOf);

        Assert.Equal(ReportPeriod.Month(2026, 3), report.Month);
        Assert.Equal(3.30m, report.Pace.SpentUsd);
        Assert.Equal(2.5 / 31, report.Pace.ElapsedFraction, 12);
        Assert.Equal(1.32m, report.Pace.PaceRatio);
        Assert.Equal(BudgetPaceStatus.Warning, report.Pace.Status);
        Assert.Equal(31.00m, report.Pace.MonthlyBudgetUsd);
        Assert.Equal(BudgetPace.Compute(31.00m, 3.30m, asOf).RecommendedActions, report.Pace.RecommendedActions);
        Assert.Equal(1, report.UnpricedRequests);
        Assert.Equal([new DailyCost(D1, 3, 1.10m), new DailyCost(D2, 3, 2.20m), new DailyCost(D3, 0, 0m)], report.DailyCosts);

        Assert.Equal(BudgetPaceStatus.Critical, Ledger.BudgetPace(10.00m, asOf).Pace.Status); // 3.30 / (10 × 2.5/31) = 4.09
        Assert.Equal(BudgetPaceStatus.UnderUsed, UsageReports.BudgetPace([], 10m, asOf).Pace.Status);
        Assert.Equal(0m, Ledger.BudgetPace(10m, new DateTimeOffset(2026, 4, 2, 0, 0, 0, TimeSpan.Zero)).Pace.SpentUsd); // March is not April
    }

    [Fact]
    public void Self_hosting_comparison_with_the_default_GPU_model()
    {
        // 1B input + 100M output per month at gpt-4o prices: 2,500 + 1,000 = 3,500 USD.
        // GPU time: 1e9 / 10,000 + 1e8 / 1,000 = 200,000 s; one replica offers 730 h × 3600 × 0.5 = 1,314,000 s → 1 replica,
        // 2.00 × 730 = 1,460 USD. Break-even at this mix: price 3,500 / 1.1e9 per token; 1,460 / price = 458,857,142.86 tokens.
        var gpt4o = new ModelPriceInfo("gpt-4o", 2.50m, 1.25m, 10.00m, 0.5m, ModelTier.HighQuality);
        var report = UsageReports.SelfHosting(1_000_000_000, 100_000_000, gpt4o, gpu: null);

        Assert.Equal(3_500m, report.ApiMonthlyUsd);
        Assert.Equal(1, report.Replicas);
        Assert.Equal(1_460m, report.GpuMonthlyUsd);
        Assert.Equal(2_040m, report.MonthlySavingsUsd);
        Assert.True(report.SelfHostingCheaper);
        Assert.Equal(200_000.0 / 2_628_000, report.Utilization, 12);
        Assert.Equal(1_314_000 / ((1 / 1.1 / 10_000) + (0.1 / 1.1 / 1_000)), report.TokensPerReplicaMonth, 3);
        Assert.Equal(458_857_143, report.BreakEvenMonthlyTokens);
    }

    [Fact]
    public void Self_hosting_has_no_break_even_when_a_replica_costs_more_than_the_api_charges_for_its_tokens()
    {
        // gpt-4o-mini: 150 + 60 = 210 USD for 1.1B tokens; a full replica serves 7.227e9 tokens ≈ 1,380 USD of API < 1,460.
        var mini = new ModelPriceInfo("gpt-4o-mini", 0.15m, 0.075m, 0.60m, 0.5m, ModelTier.FastCheap);
        var report = UsageReports.SelfHosting(1_000_000_000, 100_000_000, mini, gpu: null);

        Assert.Equal(210m, report.ApiMonthlyUsd);
        Assert.False(report.SelfHostingCheaper);
        Assert.Equal(210m - 1_460m, report.MonthlySavingsUsd);
        Assert.Null(report.BreakEvenMonthlyTokens);
    }

    [Fact]
    public void Self_hosting_break_even_walks_the_replica_steps_with_a_fixed_cost()
    {
        // A replica: 2 USD/h × 500 h = 1,000 USD and 2 output tokens/s × 1.8e6 s = 3.6e6 tokens. API 0.0005 USD/token, fixed 2,000.
        // 1 replica: (1,000 + 2,000) / 0.0005 = 6e6 > 3.6e6; 2: 8e6 > 7.2e6; 3: 1e7 ≤ 1.08e7 → 10,000,000 tokens.
        var gpu = new GpuCostModel { GpuHourlyUsd = 2m, HoursPerMonth = 500, OutputTokensPerSecond = 2, TargetUtilization = 1, FixedMonthlyUsd = 2_000m };
        var report = UsageReports.SelfHosting(0, 1_000_000, 500m, gpu);

        Assert.Equal(1, report.Replicas);
        Assert.Equal(3_000m, report.GpuMonthlyUsd);
        Assert.Equal(10_000_000, report.BreakEvenMonthlyTokens);

        var big = UsageReports.SelfHosting(0, 8_000_000, 4_000m, gpu); // 8e6 tokens need ⌈8e6 / 3.6e6⌉ = 3 replicas
        Assert.Equal(3, big.Replicas);
        Assert.Equal(5_000m, big.GpuMonthlyUsd);

        Assert.Throws<ArgumentException>(() => UsageReports.SelfHosting(1, 1, 1m, new GpuCostModel { TargetUtilization = 0 }));
    }

    [Fact]
    public void Self_hosting_from_the_ledger_scales_priced_provider_calls_to_a_month()
    {
        // Priced provider calls (no cache hit, cost known): #1, #2, #4, #5, #7, #8, #9 → input 1000+500+2000+1000+1000+0+1000 = 6,500,
        // output 100+10+200+100+100+0+100 = 610, cost 4.10. Three days → × 720 h / 24 / 3 = × 10.
        var gpu = new GpuCostModel { HoursPerMonth = 720 };
        var report = Ledger.SelfHosting(gpu);

        Assert.Equal(65_000, report.MonthlyInputTokens);
        Assert.Equal(6_100, report.MonthlyOutputTokens);
        Assert.Equal(41.00m, report.ApiMonthlyUsd);
        Assert.Equal(1_440m, report.GpuMonthlyUsd);
        Assert.False(report.SelfHostingCheaper);

        var empty = UsageLedger.From([]).SelfHosting();
        Assert.Equal(0m, empty.ApiMonthlyUsd);
        Assert.Null(empty.BreakEvenMonthlyTokens);
        Assert.Equal(1, empty.Replicas);
    }

    [Fact]
    public void Optimization_roadmap_orders_levers_and_finds_the_steps_to_the_target()
    {
        // Spend 4.10; cache-hit rate 1/9, 0.60 of 4.10 on fast_cheap models: caching and routing both apply.
        // Midpoints: caching 22.5% → keep 0.775; routing 55% → keep 0.34875 → 65.1% ≥ 50% after 2 steps.
        var roadmap = Ledger.Roadmap(0.5m);

        Assert.Equal(["caching", "routing", "cascading", "compression", "output_limits", "batching"], roadmap.Steps.Select(s => s.Lever.Name));
        Assert.Equal(4.10m, roadmap.SpendUsd);
        Assert.All(roadmap.Steps, s => Assert.True(s.Applicable));
        Assert.Equal(2, roadmap.StepsToTarget);
        Assert.True(roadmap.TargetReachable);

        Assert.Equal(0.615m, roadmap.Steps[0].ExpectedLowUsd); // 4.10 × 15%
        Assert.Equal(1.23m, roadmap.Steps[0].ExpectedHighUsd); // 4.10 × 30%
        Assert.Equal(1.394m, roadmap.Steps[1].ExpectedLowUsd); // 4.10 × 0.85 × 40%
        Assert.Equal(0.49m, roadmap.Steps[1].CumulativeLow); // 1 − 0.85 × 0.60
        Assert.Equal(0.79m, roadmap.Steps[1].CumulativeHigh); // 1 − 0.70 × 0.30
        Assert.Equal(0.65125m, roadmap.Steps[1].CumulativeMid);
        Assert.Equal(1m - (0.70m * 0.30m * 0.75m * 0.80m * 0.80m * 0.75m), roadmap.Steps[^1].CumulativeHigh); // 0.9244

        var tooMuch = Ledger.Roadmap(0.95m);
        Assert.False(tooMuch.TargetReachable);
        Assert.Null(tooMuch.StepsToTarget);
    }

    [Fact]
    public void Roadmap_skips_levers_the_ledger_shows_in_use()
    {
        var day = new DateOnly(2026, 5, 1);
        UsageRecord[] cachedCheap =
        [
            R(day, 9, 0, "a", "gpt-4o-mini", "/x", 1m),
            R(day, 9, 1, "a", "gpt-4o-mini", "/x", 0m, layer: CacheLayer.Memory, saved: 1m),
            R(day, 9, 2, "a", "gpt-4o-mini", "/x", 0m, layer: CacheLayer.Distributed, saved: 1m),
        ];
        var roadmap = UsageReports.Roadmap(cachedCheap, 0.3m);

        Assert.False(roadmap.Steps[0].Applicable); // hit rate 2/3 ≥ 50%
        Assert.False(roadmap.Steps[1].Applicable); // all spend on a fast_cheap model
        Assert.Equal(0m, roadmap.Steps[1].CumulativeMid);
        Assert.Equal(0m, roadmap.Steps[1].ExpectedHighUsd);
        Assert.Equal(4, roadmap.StepsToTarget); // steps 1–2 skipped; cascading 20% → 0.20; compression 15% → 1 − 0.8 × 0.85 = 0.32 ≥ 0.3
        Assert.Throws<ArgumentOutOfRangeException>(() => UsageReports.Roadmap(cachedCheap, 1m));
        Assert.Throws<ArgumentException>(() => UsageReports.Roadmap(cachedCheap, 0.5m, levers: [new OptimizationLever("x", "y", 0.5m, 0.2m)]));
    }

    [Fact]
    public void Every_report_handles_an_empty_ledger()
    {
        var empty = UsageLedger.From([]);
        var daily = empty.Daily();
        Assert.Null(daily.Period);
        Assert.Empty(daily.Days);
        Assert.Equal(UsageTotals.Empty, daily.Totals);
        Assert.Equal(0m, daily.Totals.CacheHitRate);
        Assert.Null(daily.Totals.CostPerRequestUsd);

        var drivers = empty.CostDrivers();
        Assert.Null(drivers.PeakHour);
        Assert.Equal(0, drivers.TopUserCount);
        Assert.Equal(0m, drivers.TopUsersShareOfCost);
        Assert.Empty(drivers.TopEndpoints);

        var unit = empty.UnitEconomics(100m);
        Assert.Null(unit.CostPerRequestUsd);
        Assert.Null(unit.CostPerActiveUserUsd);
        Assert.Equal(1m, unit.GrossMargin);
        Assert.Equal(MarginHealth.Healthy, unit.Health);

        Assert.Empty(empty.Users());
        Assert.Equal(0m, empty.Roadmap(0.5m).SpendUsd);
    }

    [Fact]
    public void A_one_day_ledger_and_an_unpriced_only_ledger()
    {
        var oneDay = UsageLedger.From(Small.Where(r => UsageReports.DayOf(r.Timestamp) == D3));
        var daily = oneDay.Daily();
        Assert.Equal(ReportPeriod.Day(D3), daily.Period);
        Assert.Equal(0.80m, Assert.Single(daily.Days).Totals.CostUsd);
        Assert.Equal(14, oneDay.CostDrivers().PeakHour);

        var unpriced = UsageLedger.From(Small.Select(r => r with { CostUsd = null, IsPriced = false }));
        var totals = unpriced.Daily().Totals;
        Assert.Equal(0m, totals.CostUsd);
        Assert.Equal(9, totals.UnpricedRequests);
        Assert.Equal(9, unpriced.CostDrivers().ByHour.Sum(h => h.Requests));
        Assert.Equal(14, unpriced.CostDrivers().PeakHour); // no cost anywhere: the hour with the most requests (4)
        Assert.Equal(0m, unpriced.CostDrivers().TopUsersShareOfCost);
        Assert.Equal(9, unpriced.UnitEconomics(10m).UnpricedRequests);
    }
}
