using System.Diagnostics;

namespace PromptOps.Benchmarks.Figures;

/// <summary>Where the bytes an operation allocates are counted.</summary>
internal enum AllocationScope
{
    /// <summary>
    /// <see cref="GC.GetAllocatedBytesForCurrentThread"/> around the calls; exact, but only for an operation that completes
    /// synchronously on the calling thread (checked on every call: an operation that does not is an error).
    /// </summary>
    CurrentThread,

    /// <summary><see cref="GC.GetTotalAllocatedBytes(bool)"/> (precise) around the calls: for work spread over threads.</summary>
    Process,

    /// <summary>Not measured (the operation's allocations are not a figure of the README).</summary>
    None,
}

/// <summary>One operation of an interleaved comparison: a name for the tables and the call to time.</summary>
/// <param name="Name">The row's name (the anchor is the first operation of a comparison).</param>
/// <param name="Run">One call.</param>
/// <param name="OperationsPerCall">How many operations one call performs (e.g. 2,000 reserve + settle pairs); times and bytes are per operation.</param>
/// <param name="Allocation">How allocations are counted.</param>
/// <param name="AfterSample">Untimed work after each sample (e.g. settling the leases the sample's reserves took).</param>
internal sealed record TimedOperation(
    string Name, Func<ValueTask> Run, int OperationsPerCall = 1, AllocationScope Allocation = AllocationScope.CurrentThread, Func<ValueTask>? AfterSample = null)
{
    /// <summary>A synchronous operation.</summary>
    public static TimedOperation Sync(string name, Action run, int operationsPerCall = 1, AllocationScope allocation = AllocationScope.CurrentThread) =>
        new(name, () =>
        {
            run();
            return default;
        }, operationsPerCall, allocation);

    /// <summary>An operation returning a task (awaited; allocation counting requires it to be complete when returned).</summary>
    public static TimedOperation OfTask(string name, Func<Task> run, int operationsPerCall = 1, AllocationScope allocation = AllocationScope.CurrentThread) =>
        new(name, () => new ValueTask(run()), operationsPerCall, allocation);
}

/// <summary>How long and how often an interleaved comparison runs.</summary>
/// <param name="Repeats">Independent repeats; each gives one ratio per operation (the ratio of its medians to the anchor's).</param>
/// <param name="RoundsPerRepeat">Rounds per repeat; a round takes one sample of every operation, in an order that rotates.</param>
/// <param name="Warmup">Interleaved rounds run (and discarded) before the first repeat, at least this long and at least 3 rounds.</param>
/// <param name="SampleTime">What one sample of the slowest operation should take; the number of calls per sample is set from it.</param>
/// <param name="AllocationCalls">Calls whose allocations are counted per operation (after the timed repeats).</param>
/// <param name="Clock">What a sample's time is measured with (every operation of a comparison uses the same clock).</param>
internal sealed record InterleavedSettings(int Repeats, int RoundsPerRepeat, TimeSpan Warmup, TimeSpan SampleTime, int AllocationCalls = 64, Clock Clock = Clock.Wall)
{
    /// <summary>Whether <c>--quick</c> shortened the run (the figures' spread is then wider than in a full run).</summary>
    public static bool Quick { get; set; }

    /// <summary>The settings, shortened to a smoke run by <c>--quick</c> (2 repeats, a third of the rounds, a tenth of the warm-up).</summary>
    public InterleavedSettings Effective => Quick
        ? this with { Repeats = Math.Min(Repeats, 2), RoundsPerRepeat = Math.Max(3, RoundsPerRepeat / 3), Warmup = Warmup / 10 }
        : this;
}

/// <summary>
/// Interleaved ratios: the anchor and its subjects alternate in the same process (A, B, C, then B, C, A, …), after a
/// common warm-up, for several repeats. Load that comes and goes on the machine hits every operation alike, so the
/// ratio of their times stays put even when the absolute times move (rows BenchmarkDotNet measures one after another,
/// minutes apart, do not have that property: the cache anchor alone moved 8.9–18.8 µs between such runs).
/// </summary>
internal static class Interleaved
{
    /// <summary>Runs <paramref name="operations"/> (the first is the anchor) interleaved and measures each one's allocations.</summary>
    public static async Task<InterleavedResult> RunAsync(IReadOnlyList<TimedOperation> operations, InterleavedSettings settings)
    {
        ArgumentNullException.ThrowIfNull(operations);
        ArgumentNullException.ThrowIfNull(settings);
        if (operations.Count < 2) throw new ArgumentException("An interleaved comparison needs an anchor and at least one subject.", nameof(operations));
        settings = settings.Effective;
        if (settings.Repeats < 1 || settings.RoundsPerRepeat < 1) throw new ArgumentException("Repeats and rounds must be positive.", nameof(settings));

        // Warm-up, interleaved too (the anchor's JIT tiers keep improving for seconds), then calls per sample from the
        // slowest operation's time per call.
        // A call's time is its fastest in the warm-up (a single call can be descheduled for longer than it takes).
        var perCall = operations.Select(_ => double.MaxValue).ToArray();
        var warm = Stopwatch.StartNew();
        for (var round = 0; round < 3 || warm.Elapsed < settings.Warmup; round++)
        {
            for (var k = 0; k < operations.Count; k++)
            {
                var i = (round + k) % operations.Count;
                perCall[i] = Math.Min(perCall[i], await TimeCallsAsync(operations[i], 1, settings.Clock).ConfigureAwait(false));
            }
        }

        var calls = (int)Math.Clamp(settings.SampleTime.TotalSeconds / perCall.Max(), 1, 1_000_000);

        var medians = operations.Select(_ => new double[settings.Repeats]).ToArray();
        for (var repeat = 0; repeat < settings.Repeats; repeat++)
        {
            var samples = operations.Select(_ => new List<double>(settings.RoundsPerRepeat)).ToArray();
            for (var round = 0; round < settings.RoundsPerRepeat; round++)
            {
                for (var k = 0; k < operations.Count; k++)
                {
                    var i = (round + repeat + k) % operations.Count;
                    var seconds = await TimeCallsAsync(operations[i], calls, settings.Clock).ConfigureAwait(false);
                    samples[i].Add(seconds / operations[i].OperationsPerCall);
                }
            }

            for (var i = 0; i < operations.Count; i++) medians[i][repeat] = Stats.Median(samples[i]);
        }

        var bytes = new double?[operations.Count];
        for (var i = 0; i < operations.Count; i++) bytes[i] = await AllocatedPerOperationAsync(operations[i], settings.AllocationCalls).ConfigureAwait(false);

        return new InterleavedResult([.. operations.Select(o => o.Name)], medians, bytes, calls, settings);
    }

    private static async Task<double> TimeCallsAsync(TimedOperation operation, int calls, Clock clock)
    {
        var thread = Environment.CurrentManagedThreadId;
        var start = Clocks.Now(clock);
        for (var n = 0; n < calls; n++) await operation.Run().ConfigureAwait(false);
        var seconds = (Clocks.Now(clock) - start) / calls;
        if (clock == Clock.ThreadCpu && Environment.CurrentManagedThreadId != thread)
        {
            throw new InvalidOperationException($"'{operation.Name}' continued on another thread, so the calling thread's CPU time does not cover it; use Clock.ProcessCpu or Clock.Wall.");
        }

        if (operation.AfterSample is { } after) await after().ConfigureAwait(false);
        return seconds;
    }

    /// <summary>Bytes per operation over enough calls to make one-off allocations (a JIT'd stub, a resized buffer) vanish.</summary>
    private static async Task<double?> AllocatedPerOperationAsync(TimedOperation operation, int calls)
    {
        if (operation.Allocation == AllocationScope.None) return null;
        await operation.Run().ConfigureAwait(false);
        if (operation.Allocation == AllocationScope.Process)
        {
            var before = GC.GetTotalAllocatedBytes(precise: true);
            for (var n = 0; n < calls; n++) await operation.Run().ConfigureAwait(false);
            var total = GC.GetTotalAllocatedBytes(precise: true) - before;
            if (operation.AfterSample is { } after) await after().ConfigureAwait(false);
            return total / (double)(calls * operation.OperationsPerCall);
        }

        var start = GC.GetAllocatedBytesForCurrentThread();
        for (var n = 0; n < calls; n++)
        {
            var pending = operation.Run();
            if (!pending.IsCompleted)
            {
                throw new InvalidOperationException(
                    $"'{operation.Name}' did not complete synchronously, so the current thread's allocation counter cannot see all of it; use AllocationScope.Process.");
            }

            pending.GetAwaiter().GetResult();
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - start;
        if (operation.AfterSample is { } settle) await settle().ConfigureAwait(false);
        return allocated / (double)(calls * operation.OperationsPerCall);
    }
}

/// <summary>What an interleaved comparison measured.</summary>
/// <param name="Names">The operations, the anchor first.</param>
/// <param name="Medians">Per operation, per repeat: the median of the repeat's samples, in seconds per operation.</param>
/// <param name="BytesPerOperation">Per operation: allocated bytes per operation, or null when not measured.</param>
/// <param name="CallsPerSample">Calls timed together as one sample.</param>
/// <param name="Settings">The settings the run used (after <c>--quick</c>).</param>
internal sealed record InterleavedResult(string[] Names, double[][] Medians, double?[] BytesPerOperation, int CallsPerSample, InterleavedSettings Settings)
{
    /// <summary>The index of the operation named <paramref name="name"/>.</summary>
    public int IndexOf(string name)
    {
        var i = Array.IndexOf(Names, name);
        return i >= 0 ? i : throw new ArgumentException($"No operation named '{name}' in this comparison (has: {string.Join(", ", Names)}).", nameof(name));
    }

    /// <summary>Per repeat, the time of <paramref name="subject"/> divided by the time of <paramref name="anchor"/> (default: the first operation).</summary>
    public double[] TimeRatios(string subject, string? anchor = null)
    {
        var s = Medians[IndexOf(subject)];
        var a = Medians[anchor is null ? 0 : IndexOf(anchor)];
        return [.. s.Select((v, r) => v / a[r])];
    }

    /// <summary>The median over repeats of an operation's time per operation, in seconds, with its range.</summary>
    public Spread Time(string name) => Spread.Of(Medians[IndexOf(name)]);

    /// <summary>The time ratio subject / anchor: median over repeats, with its range.</summary>
    public Spread Ratio(string subject, string? anchor = null) => Spread.Of(TimeRatios(subject, anchor));

    /// <summary>Bytes per operation of <paramref name="name"/> (it must have been measured).</summary>
    public double Bytes(string name) =>
        BytesPerOperation[IndexOf(name)] ?? throw new InvalidOperationException($"Allocations of '{name}' were not measured.");

    /// <summary>A one-line description of the run: repeats, rounds, calls per sample.</summary>
    public string Describe() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{Settings.Repeats} repeats × {Settings.RoundsPerRepeat} interleaved rounds, {CallsPerSample:N0} call(s) per sample, after ≥ {Settings.Warmup.TotalSeconds:0.#} s of interleaved warm-up; times are {Clocks.Describe(Settings.Clock)}");
}

/// <summary>A median with the smallest and largest value it was taken from.</summary>
internal readonly record struct Spread(double Median, double Min, double Max)
{
    /// <summary>The median and range of <paramref name="values"/>.</summary>
    public static Spread Of(IReadOnlyCollection<double> values) => new(Stats.Median(values), values.Min(), values.Max());

    /// <summary>The same spread of 1 / value (a ratio turned around: min and max swap).</summary>
    public Spread Inverse() => new(1 / Median, 1 / Max, 1 / Min);

    /// <summary>Every value multiplied by <paramref name="factor"/>.</summary>
    public Spread Scale(double factor) => new(Median * factor, Min * factor, Max * factor);
}

/// <summary>Order statistics.</summary>
internal static class Stats
{
    /// <summary>The median (the mean of the middle two for an even count).</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) throw new ArgumentException("No values.", nameof(values));
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
