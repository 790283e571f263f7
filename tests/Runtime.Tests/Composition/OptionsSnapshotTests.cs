using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PromptOps.Budgets;
using PromptOps.Plans;
using PromptOps.Tests.Infrastructure;

namespace PromptOps.Tests.Composition;

/// <summary>One options snapshot per <c>Build</c>, and the shared services <c>AddPromptOps</c> registers.</summary>
public class OptionsSnapshotTests
{
    private static void EverythingOn(PromptOpsOptions o)
    {
        o.Plans.Enabled = true;
        o.Cascade.Enabled = true;
        o.Fallback.Enabled = true;
        o.Budget.MonthlyBudgetUsd = 30m;
        o.Budget.DowngradeWhenCritical = true;
    }

    [Fact]
    public void UsePromptOps_runs_configure_once_per_Build_with_every_layer_on()
    {
        var calls = 0;
        var builder = new ChatClientBuilder(new RecordingChatClient()).UsePromptOps(o =>
        {
            calls++;
            EverythingOn(o);
        });

        using (var client = builder.Build())
        {
            Assert.NotNull(client.GetService<UserPlanChatClient>()); // every conditional layer was added …
            Assert.NotNull(client.GetService<BudgetActionChatClient>());
            Assert.NotNull(client.GetService<CostBudgetChatClient>());
            Assert.Equal(1, calls); // … from one run of configure
        }

        using var again = builder.Build();
        Assert.Equal(2, calls); // and one more per Build, not per layer
    }

    [Fact]
    public void The_budget_layers_share_the_CostBudget_AddPromptOps_registered()
    {
        var services = new ServiceCollection();
        services.AddPromptOps(EverythingOn);
        services.AddChatClient(new RecordingChatClient()).UsePromptOps();
        using var sp = services.BuildServiceProvider();
        var registered = sp.GetRequiredService<CostBudget>();
        var client = sp.GetRequiredService<IChatClient>();

        Assert.Same(registered, client.GetService<CostBudgetChatClient>()!.Budget);
        Assert.Same(registered, client.GetService<BudgetActionChatClient>()!.Budget);
        Assert.Same(sp.GetRequiredService<IBudgetStore>(), registered.Store);
    }

    [Fact]
    public void UseCostBudget_and_UseBudgetActions_alone_share_the_registered_budget()
    {
        var services = new ServiceCollection();
        services.AddPromptOps(o =>
        {
            o.Budget.MonthlyBudgetUsd = 30m;
            o.Budget.DowngradeWhenCritical = true;
        });
        services.AddChatClient(new RecordingChatClient()).UseBudgetActions().UseCostBudget();
        using var sp = services.BuildServiceProvider();
        var client = sp.GetRequiredService<IChatClient>();

        Assert.Same(sp.GetRequiredService<CostBudget>(), client.GetService<CostBudgetChatClient>()!.Budget);
        Assert.Same(sp.GetRequiredService<CostBudget>(), client.GetService<BudgetActionChatClient>()!.Budget);
    }

    [Fact]
    public void Without_AddPromptOps_the_layers_of_one_Build_share_one_budget_and_one_store()
    {
        using var client = new ChatClientBuilder(new RecordingChatClient()).UsePromptOps(EverythingOn).Build();
        var budget = client.GetService<CostBudgetChatClient>()!.Budget;

        Assert.Same(budget, client.GetService<BudgetActionChatClient>()!.Budget);
        Assert.Same(budget.Store, client.GetService<UserPlanChatClient>()!.Store);
    }

    [Fact]
    public void With_no_limit_no_budget_is_registered_and_no_breaker_is_added()
    {
        var services = new ServiceCollection();
        services.AddPromptOps();
        services.AddChatClient(new RecordingChatClient()).UsePromptOps();
        using var sp = services.BuildServiceProvider();

        Assert.Null(sp.GetService<CostBudget>()); // absent, not a stand-in
        Assert.Null(sp.GetRequiredService<IChatClient>().GetService<CostBudgetChatClient>());
    }

    [Fact]
    public void UseCostBudget_without_any_limit_names_the_setting()
    {
        var builder = new ChatClientBuilder(new RecordingChatClient()).UseCostBudget();
        var e = Assert.Throws<OptionsValidationException>(() => builder.Build());
        Assert.Contains("PromptOps:Budget", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_layer_configure_that_breaks_its_options_fails_the_build_naming_the_value()
    {
        var builder = new ChatClientBuilder(new RecordingChatClient()).UseFallback(o => o.MaxRetries = 500);
        var e = Assert.Throws<OptionsValidationException>(() => builder.Build());
        Assert.Contains("PromptOps:Fallback:MaxRetries is 500", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Optional_sinks_are_absent_until_configured()
    {
        var services = new ServiceCollection();
        services.AddPromptOps().AddPromptOpsSqliteLedger();
        using (var sp = services.BuildServiceProvider())
        {
            Assert.All(sp.GetServices<IBudgetAlertSink>(), Assert.Null); // no webhook address, no ledger path: nothing, not stand-ins
            Assert.All(sp.GetServices<PromptOps.Usage.IUsageSink>(), Assert.Null);
        }

        var configured = new ServiceCollection();
        configured.AddPromptOps(o => o.Budget.Webhook.Url = new Uri("http://127.0.0.1:9/alerts")).AddPromptOpsSqliteLedger();
        using var withWebhook = configured.BuildServiceProvider();
        Assert.IsType<WebhookBudgetAlertSink>(Assert.Single(withWebhook.GetServices<IBudgetAlertSink>(), s => s is not null));
    }
}
