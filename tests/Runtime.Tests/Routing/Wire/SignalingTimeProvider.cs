using Microsoft.Extensions.Time.Testing;

namespace PromptOps.Tests.Routing.Wire;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that records every timer created (Polly's retry delays and attempt timeouts are
/// timers), so a test can wait until the code under test has scheduled a delay of an exact length and then advance
/// the clock by exactly that much. Nothing waits for real time except the hang guard.
/// </summary>
internal sealed class SignalingTimeProvider : TimeProvider, IDisposable
{
    private readonly List<TimeSpan> _timers = [];
    private readonly SemaphoreSlim _created = new(0);

    public FakeTimeProvider Fake { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    /// <summary>The due times of every timer created or re-armed so far (infinite ones left out).</summary>
    public IReadOnlyList<TimeSpan> Timers
    {
        get
        {
            lock (_timers) return [.. _timers];
        }
    }

    public override DateTimeOffset GetUtcNow() => Fake.GetUtcNow();

    public override long GetTimestamp() => Fake.GetTimestamp();

    public override long TimestampFrequency => Fake.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => Fake.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new RecordingTimer(Fake.CreateTimer(callback, state, dueTime, period), this);
        Record(dueTime);
        return timer;
    }

    private void Record(TimeSpan dueTime)
    {
        if (dueTime == Timeout.InfiniteTimeSpan) return;
        lock (_timers) _timers.Add(dueTime);
        _created.Release();
    }

    // CancellationTokenSource.CancelAfter (Polly's attempt timeout) re-arms an existing timer with Change.
    private sealed class RecordingTimer(ITimer inner, SignalingTimeProvider owner) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            owner.Record(dueTime);
            return inner.Change(dueTime, period);
        }

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }

    /// <summary>Waits until the <paramref name="occurrence"/>-th timer of exactly <paramref name="dueTime"/> exists (hang guard: 60 s real time).</summary>
    public async Task WaitForTimerAsync(TimeSpan dueTime, int occurrence = 1)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (Timers.Count(t => t == dueTime) < occurrence)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
                throw new TimeoutException($"No timer of {dueTime} was created; timers so far: {string.Join(", ", Timers)}.");
            await _created.WaitAsync(left);
        }
    }

    public void Advance(TimeSpan by) => Fake.Advance(by);

    public void Dispose() => _created.Dispose();
}
