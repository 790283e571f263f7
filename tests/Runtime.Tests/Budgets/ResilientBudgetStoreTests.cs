using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using PromptOps.Budgets;

namespace PromptOps.Tests.Budgets;

/// <summary>
/// Lost replies: the shared store applied an operation but its answer never came back (a timeout). The wrapper retries
/// with the same lease id, which every store operation allows, so nothing is counted twice and a single timeout is not
/// an outage.
/// </summary>
public class ResilientBudgetStoreTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);
    private static readonly BudgetCharge Day = new("{budget}:d", 40, 100, Now.AddDays(1));

    /// <summary>A store that applies each operation and then loses the reply of the next <see cref="LoseReplies"/> ones.</summary>
    private sealed class LossyStore(IBudgetStore inner) : IBudgetStore
    {
        public int LoseReplies { get; set; }

        public int Calls { get; private set; }

        public string Name => "lossy";

        public async ValueTask<BudgetReservation> TryReserveAsync(string leaseId, IReadOnlyList<BudgetCharge> charges, DateTimeOffset now, DateTimeOffset leaseExpiresAt, CancellationToken cancellationToken) =>
            Lose(await inner.TryReserveAsync(leaseId, charges, now, leaseExpiresAt, cancellationToken));

        public async ValueTask SettleAsync(string leaseId, IReadOnlyList<BudgetCharge> charges, IReadOnlyList<long> actual, DateTimeOffset now, CancellationToken cancellationToken)
        {
            await inner.SettleAsync(leaseId, charges, actual, now, cancellationToken);
            Lose(0);
        }

        public async ValueTask RecordSpendAsync(string spendId, IReadOnlyList<BudgetCharge> charges, IReadOnlyList<long> actual, DateTimeOffset now, CancellationToken cancellationToken)
        {
            await inner.RecordSpendAsync(spendId, charges, actual, now, cancellationToken);
            Lose(0);
        }

        public ValueTask<long[]> GetTotalsAsync(IReadOnlyList<string> keys, DateTimeOffset now, CancellationToken cancellationToken) => inner.GetTotalsAsync(keys, now, cancellationToken);

        private T Lose<T>(T result)
        {
            Calls++;
            if (LoseReplies <= 0) return result;
            LoseReplies--;
            throw new TimeoutException("The reply was lost (the operation was applied).");
        }
    }

    [Fact]
    public async Task A_reservation_whose_reply_was_lost_once_is_found_by_its_retry_and_is_not_an_outage()
    {
        var shared = new InMemoryBudgetStore();
        var lossy = new LossyStore(shared) { LoseReplies = 1 };
        var logger = new FakeLogger();
        var store = new ResilientBudgetStore(lossy, BudgetStoreFailurePolicy.FallbackToLocal, TimeSpan.FromSeconds(5), new FakeTimeProvider(Now), logger);

        var reservation = await store.TryReserveAsync([Day], Now, Now.AddMinutes(10), default);
        Assert.True(reservation.IsReserved);
        Assert.False(store.IsDown);
        Assert.Empty(logger.Collector.GetSnapshot());
        Assert.Equal(2, lossy.Calls);
        Assert.Equal(new long[] { 40 }, await shared.GetTotalsAsync([Day.Key], Now, default)); // reserved once, not twice

        await store.SettleAsync(reservation.LeaseId!, [Day], [25], Now, default);
        Assert.Equal(new long[] { 25 }, await shared.GetTotalsAsync([Day.Key], Now, default));
    }

    [Fact]
    public async Task A_settle_whose_replies_were_lost_is_replayed_once_when_the_store_answers_again()
    {
        var shared = new InMemoryBudgetStore();
        var lossy = new LossyStore(shared);
        var time = new FakeTimeProvider(Now);
        var logger = new FakeLogger();
        var store = new ResilientBudgetStore(lossy, BudgetStoreFailurePolicy.FallbackToLocal, TimeSpan.FromSeconds(5), time, logger);
        var lease = (await store.TryReserveAsync([Day], Now, Now.AddMinutes(10), default)).LeaseId!;

        lossy.LoseReplies = 2; // the settle is applied, and both attempts lose their reply
        await store.SettleAsync(lease, [Day], [25], Now, default);
        Assert.True(store.IsDown);
        Assert.Equal(1, store.PendingSettles);
        Assert.Single(logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning);

        time.Advance(TimeSpan.FromSeconds(5));
        await store.GetTotalsAsync([Day.Key], Now, default); // the store answers: the settle is replayed
        Assert.False(store.IsDown);
        Assert.Equal(0, store.PendingSettles);
        Assert.Equal(new long[] { 25 }, await shared.GetTotalsAsync([Day.Key], Now, default)); // counted once, not 50
    }

    [Fact]
    public async Task A_reservation_lost_in_an_outage_is_released_when_the_store_is_back()
    {
        var shared = new InMemoryBudgetStore();
        var lossy = new LossyStore(shared) { LoseReplies = 2 }; // applied, then both replies lost: the store looks down
        var time = new FakeTimeProvider(Now);
        var store = new ResilientBudgetStore(lossy, BudgetStoreFailurePolicy.FailClosed, TimeSpan.FromSeconds(5), time);

        await Assert.ThrowsAsync<BudgetStoreUnavailableException>(async () => await store.TryReserveAsync([Day], Now, Now.AddMinutes(10), default));
        Assert.Equal(new long[] { 40 }, await shared.GetTotalsAsync([Day.Key], Now, default)); // held by nobody

        time.Advance(TimeSpan.FromSeconds(5));
        await store.GetTotalsAsync([Day.Key], Now, default);
        Assert.Equal(new long[] { 0 }, await shared.GetTotalsAsync([Day.Key], Now, default)); // released, not held for 10 minutes
    }
}
