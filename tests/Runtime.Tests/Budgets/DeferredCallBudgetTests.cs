using Microsoft.Extensions.AI;
using PromptOps.Budgets;
using PromptOps.Pricing;
using PromptOps.Routing.Batching;
using PromptOps.Tests.Infrastructure;
using static PromptOps.Tests.Budgets.BudgetTestKit;

namespace PromptOps.Tests.Budgets;

/// <summary>
/// A deferrable call waits for its provider batch (hours, not seconds): its reservation must hold the money until the batch
/// has answered, or the budget would hand the same dollars to other calls once the lease expired and overspend when the
/// batch is paid for. A call that is not deferred keeps the ordinary lease.
/// </summary>
public class DeferredCallBudgetTests
{
    private static ProviderBatchOptions Waiting() => new()
    {
        BaseAddress = new Uri("http://127.0.0.1:9/"), // never reached: nothing is submitted before the test ends
        ApiKey = "test",
        MaxBatchSize = 1_000,
        MaxBatchAge = TimeSpan.FromHours(1),
    };

    [Fact]
    public async Task A_deferred_call_keeps_its_reservation_past_the_ordinary_lease()
    {
        var time = Clock();
        await using var scheduler = new ProviderBatchScheduler(Waiting());
        var budget = new CostBudget(new CostBudgetOptions { DailyLimitUsd = 0.02m }, new InMemoryBudgetStore(), new PriceCatalog(), TimeSpan.FromMinutes(5), time);
        using var client = new CostBudgetChatClient(new DeferrableChatClient(new RecordingChatClient(), scheduler), budget);
        using var stop = new CancellationTokenSource();

        // ~$0.0125 worst case (1,000 output tokens of gpt-4o), queued for a batch that answers hours later.
        var deferred = client.GetResponseAsync(Ask(), Gpt4o().Deferrable("k"), stop.Token);
        for (var i = 0; scheduler.Statistics.ItemsQueued == 0; i++)
        {
            Assert.True(i < 3_000, "The deferrable call never reached the scheduler.");
            await Task.Delay(10);
        }

        time.Advance(TimeSpan.FromMinutes(30)); // six ordinary leases later

        // The same again, made at once: it does not fit next to the reservation still held for the deferred call.
        await Assert.ThrowsAsync<BudgetExceededException>(() => client.GetResponseAsync(Ask(), Gpt4o()));
        Assert.True(scheduler.LongestWait >= TimeSpan.FromHours(24), $"LongestWait {scheduler.LongestWait}");

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => deferred);
    }

    [Fact]
    public async Task Without_a_batching_layer_a_deferrable_call_keeps_the_ordinary_lease()
    {
        // The control: the same stuck call with nothing to defer it is an ordinary call whose lease expires after 5 minutes,
        // so the second call fits (which is why the deferred call needs the longer lease).
        var time = Clock();
        var gate = new TaskCompletionSource<ChatResponse>();
        var provider = new RecordingChatClient { Respond = (_, _, _) => gate.Task };
        var budget = new CostBudget(new CostBudgetOptions { DailyLimitUsd = 0.02m }, new InMemoryBudgetStore(), new PriceCatalog(), TimeSpan.FromMinutes(5), time);
        using var client = new CostBudgetChatClient(provider, budget);

        var stuck = client.GetResponseAsync(Ask(), Gpt4o().Deferrable("k"));
        Assert.Equal(1, provider.Calls);
        // The stuck call holds its reservation: the same again does not fit beside it…
        await Assert.ThrowsAsync<BudgetExceededException>(() => client.GetResponseAsync(Ask(), Gpt4o()));
        time.Advance(TimeSpan.FromMinutes(30));
        provider.Respond = (_, _, _) => Task.FromResult(Answer("gpt-4o", 10, 10));
        // …until its ordinary lease has expired.
        await client.GetResponseAsync(Ask(), Gpt4o());
        Assert.Equal(2, provider.Calls);

        gate.SetResult(Answer("gpt-4o", 10, 10));
        await stuck;
    }
}
