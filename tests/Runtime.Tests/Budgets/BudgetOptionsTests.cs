using System.Globalization;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PromptOps.Budgets;
using PromptOps.Knowledge;
using PromptOps.Plans;
using PromptOps.Pricing;
using PromptOps.Tests.Infrastructure;
using static PromptOps.Tests.Budgets.BudgetTestKit;

namespace PromptOps.Tests.Budgets;

public class BudgetOptionsTests
{
    private static IConfigurationSection Config(params (string Key, string? Value)[] values) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>("PromptOps:" + v.Key, v.Value)))
            .Build()
            .GetSection("PromptOps");

    [Theory]
    [InlineData("Budget:DailyLimitUsd", "-1", "PromptOps:Budget:DailyLimitUsd must be in (0, 9000000], but is -1")]
    [InlineData("Budget:HourlyLimitUsd", "0", "PromptOps:Budget:HourlyLimitUsd must be in (0, 9000000], but is 0")]
    [InlineData("Budget:MonthlyBudgetUsd", "10000000", "PromptOps:Budget:MonthlyBudgetUsd must be in (0, 9000000], but is 10000000")]
    [InlineData("Budget:DefaultMaxOutputTokens", "0", "PromptOps:Budget:DefaultMaxOutputTokens must be positive, but is 0")]
    [InlineData("Budget:DowngradeTier", "gold", "PromptOps:Budget:DowngradeTier: unknown tier 'gold'")]
    [InlineData("Budget:DowngradeWhenCritical", "true", "DowngradeWhenCritical needs PromptOps:Budget:MonthlyBudgetUsd")]
    [InlineData("Budget:PaceRefreshInterval", "-00:00:01", "PaceRefreshInterval must not be negative, but is -00:00:01")]
    [InlineData("Plans:DefaultPlan", "platinum", "PromptOps:Plans:DefaultPlan 'platinum' is not a plan")]
    [InlineData("Plans:Users:alice", "gold", "PromptOps:Plans:Users:alice: 'gold' is not a plan")]
    [InlineData("Plans:Definitions:free:DailyRequests", "0", "PromptOps:Plans:Definitions:free:DailyRequests must be positive")]
    [InlineData("Plans:Definitions:team:MaxInputTokens", "-5", "PromptOps:Plans:Definitions:team:MaxInputTokens must be positive")]
    [InlineData("Plans:Definitions:team:Models:0", " ", "PromptOps:Plans:Definitions:team:Models must list model ids")]
    [InlineData("Plans:RateLimitWindow", "00:00:00", "PromptOps:Plans:RateLimitWindow must be positive, but is 00:00:00")]
    [InlineData("BudgetStore:LeaseDuration", "00:00:00", "PromptOps:BudgetStore:LeaseDuration must be positive, but is 00:00:00")]
    [InlineData("BudgetStore:LeaseDuration", "2.00:00:00", "LeaseDuration must be at most one day, but is 2.00:00:00")]
    [InlineData("BudgetStore:RetryInterval", "-00:00:01", "PromptOps:BudgetStore:RetryInterval must not be negative")]
    [InlineData("Budget:DailyLimitUsd", "0.0000000001", "PromptOps:Budget:DailyLimitUsd must be at least 0.000000001 (one nano-dollar, the smallest amount counted), but is 0.0000000001.")]
    [InlineData("BudgetStore:Escrow:Share", "0.9", "PromptOps:BudgetStore:Escrow:Share must be in (0, 0.5], but is 0.9.")]
    [InlineData("BudgetStore:WhenUnavailable", "7", "PromptOps:BudgetStore:WhenUnavailable '7' is not Escrow, FallbackToLocal or FailClosed")]
    public void Invalid_budget_plan_and_store_options_fail_at_start_up_naming_the_bad_value(string key, string value, string expected)
    {
        var services = new ServiceCollection();
        services.AddPromptOps(Config((key, value)));
        services.AddChatClient(new RecordingChatClient()).UsePromptOps();
        using var sp = services.BuildServiceProvider();

        var e = Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<IOptions<PromptOpsOptions>>().Value);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        e = Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<IChatClient>());
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Errors_name_the_bad_value_the_same_way_under_any_culture()
    {
        var culture = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("sv-SE"); // minus sign U+2212, decimal comma
            var errors = new CostBudgetOptions { DailyLimitUsd = -1m, HourlyLimitUsd = -0.5m, PaceRefreshInterval = TimeSpan.FromSeconds(-1) }.GetErrors().ToList();

            Assert.Contains("PromptOps:Budget:DailyLimitUsd must be in (0, 9000000], but is -1.", errors);
            Assert.Contains("PromptOps:Budget:HourlyLimitUsd must be in (0, 9000000], but is -0.5.", errors);
            Assert.Contains("PromptOps:Budget:PaceRefreshInterval must not be negative, but is -00:00:01.", errors); // TimeSpan's default format is invariant
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }

    [Fact]
    public void The_standalone_extensions_validate_too()
    {
        var noLimit = Assert.Throws<OptionsValidationException>(() => new ChatClientBuilder(new RecordingChatClient()).UseCostBudget().Build());
        Assert.Contains("no limit is set", noLimit.Message, StringComparison.Ordinal);
        var badPlan = Assert.Throws<OptionsValidationException>(() => new ChatClientBuilder(new RecordingChatClient()).UseUserPlans(o => o.DefaultPlan = "nope").Build());
        Assert.Contains("'nope' is not a plan", badPlan.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new CostBudget(new CostBudgetOptions(), new InMemoryBudgetStore()));
    }

    [Fact]
    public async Task Budget_plans_and_store_bind_from_configuration_and_the_layers_are_added()
    {
        var time = Clock();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddPromptOps(Config(
            ("Budget:DailyLimitUsd", "2.5"),
            ("Budget:MonthlyBudgetUsd", "40"),
            ("Budget:DefaultMaxOutputTokens", "800"),
            ("Budget:DowngradeWhenCritical", "true"),
            ("Plans:Enabled", "true"),
            ("Plans:DefaultPlan", "starter"),
            ("Plans:Users:alice", "pro"),
            ("Plans:Definitions:pro:Models:0", "gpt-4o"),
            ("BudgetStore:LeaseDuration", "00:03:00"),
            ("BudgetStore:WhenUnavailable", "FailClosed")));
        services.AddChatClient(Provider()).UsePromptOps();
        using var sp = services.BuildServiceProvider();
        var options = sp.GetRequiredService<IOptions<PromptOpsOptions>>().Value;
        Assert.Equal(2.5m, options.Budget.DailyLimitUsd);
        Assert.Equal(BudgetStoreFailurePolicy.FailClosed, options.BudgetStore.WhenUnavailable);
        Assert.Equal(TimeSpan.FromMinutes(3), options.BudgetStore.LeaseDuration);
        Assert.Equal(["gpt-4o"], options.Plans.Definitions["pro"].Models!);
        Assert.IsType<InMemoryBudgetStore>(sp.GetRequiredService<IBudgetStore>()); // no Redis configured

        var client = sp.GetRequiredService<IChatClient>();
        var budget = client.GetService<CostBudgetChatClient>()!.Budget;
        Assert.Equal(TimeSpan.FromMinutes(3), budget.LeaseDuration);
        Assert.NotNull(client.GetService<BudgetActionChatClient>());
        var plans = client.GetService<UserPlanChatClient>()!;
        Assert.Equal(["gpt-4o"], plans.Plans["pro"].AllowedModels!);
        Assert.Equal("starter", (await plans.GetPlanAsync("bob")).Name);

        await client.GetResponseAsync(Ask(), Gpt4o(null).WithPromptOps(new PromptOpsMetadata { UserId = "alice" }));
        var status = await budget.GetStatusAsync();
        Assert.Equal([BudgetWindow.Day, BudgetWindow.Month], status.Windows.Select(w => w.Window));
        Assert.Equal(Usd(10 * Gpt4oInput + 100 * Gpt4oOutput), Usd(status.Windows[0].SpentOrReservedUsd));
        Assert.Equal(BudgetPaceStatus.UnderUsed, status.Pace!.Status);
    }

    [Fact]
    public async Task While_the_monthly_pace_is_critical_requests_above_the_downgrade_tier_are_routed_down()
    {
        // 10 days into a 30-day month: the linear pace is $10 of $30; $15.01 spent is > 1.5x.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 11, 0, 0, 0, TimeSpan.Zero));
        var provider = Provider();
        var services = new ServiceCollection().AddSingleton<TimeProvider>(time).BuildServiceProvider();
        using var client = new ChatClientBuilder(provider).UsePromptOps(o =>
        {
            o.Budget.MonthlyBudgetUsd = 30m;
            o.Budget.DowngradeWhenCritical = true;
            o.Cache.Enabled = false;
        }).Build(services);
        var budget = client.GetService<CostBudgetChatClient>()!.Budget;
        var analysis = new ChatOptions().WithPromptOps(new PromptOpsMetadata { Task = "analysis" });

        var normal = await client.GetResponseAsync(Ask(), analysis);
        Assert.Equal("gpt-4.1", provider.Received[^1].Options!.ModelId);
        Assert.Null(normal.GetPromptOpsFeatures()?.DowngradedFrom);

        await budget.SettleAsync(await budget.ReserveAsync("gpt-4o", 0m), 15.01m);
        time.Advance(budget.Options.PaceRefreshInterval + TimeSpan.FromSeconds(1)); // the pace is re-read
        Assert.Equal(BudgetPaceStatus.Critical, (await budget.GetPaceAsync())!.Status);

        var downgraded = await client.GetResponseAsync(Ask(), analysis);
        Assert.Equal("gpt-4o-mini", provider.Received[^1].Options!.ModelId);
        Assert.Equal(ModelTiers.HighQualityName, downgraded.GetPromptOpsFeatures()!.DowngradedFrom);
        Assert.Equal("analysis", analysis.GetPromptOps()!.Task); // the caller's options are unchanged
        Assert.Null(analysis.ModelId);

        await client.GetResponseAsync(Ask(), new ChatOptions { ModelId = "claude-sonnet" }); // an explicit model wins
        Assert.Equal("claude-sonnet", provider.Received[^1].Options!.ModelId);
        await client.GetResponseAsync(Ask(), new ChatOptions().WithPromptOps(new PromptOpsMetadata { Task = "classification" })); // already fast_cheap
        Assert.Equal("gpt-4o-mini", provider.Received[^1].Options!.ModelId);
    }

    [Fact]
    public async Task The_registered_store_is_shared_by_every_client_of_the_container()
    {
        var time = Clock();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddPromptOps(o => o.Budget.DailyLimitUsd = 0.015m);
        using var sp = services.BuildServiceProvider();
        using var one = new ChatClientBuilder(Provider(input: 10, output: 1000)).UsePromptOps().Build(sp);
        using var two = new ChatClientBuilder(Provider(input: 10, output: 1000)).UsePromptOps().Build(sp);
        await one.GetResponseAsync(Ask("one"), Gpt4o(1000));
        await Assert.ThrowsAsync<BudgetExceededException>(() => two.GetResponseAsync(Ask("two"), Gpt4o(1000)));
        Assert.Same(sp.GetRequiredService<IBudgetStore>(), two.GetService<CostBudgetChatClient>()!.Budget.Store);
        Assert.NotNull(sp.GetRequiredService<PriceCatalog>());
    }
}
