namespace PromptOps.Routing;

/// <summary>
/// One provider's health: healthy, or unhealthy until a time; after that time exactly one request at a time probes
/// it (the others keep skipping it) until a probe succeeds.
/// </summary>
internal sealed class ProviderHealth
{
    private long _unhealthyUntilTicks; // UTC ticks; 0 = healthy
    private int _probing;
    private volatile string? _lastError;

    public bool IsHealthy => Volatile.Read(ref _unhealthyUntilTicks) == 0;

    public ProviderStatus Snapshot(string name)
    {
        var until = Volatile.Read(ref _unhealthyUntilTicks);
        return until == 0
            ? new ProviderStatus(name, true, null, null)
            : new ProviderStatus(name, false, new DateTimeOffset(until, TimeSpan.Zero), _lastError);
    }

    /// <summary>True when a request may use the provider now; <paramref name="probe"/> is true for the one probing request.</summary>
    public bool TryEnter(DateTimeOffset now, out bool probe)
    {
        probe = false;
        var until = Volatile.Read(ref _unhealthyUntilTicks);
        if (until == 0) return true;
        if (now.UtcTicks < until) return false;
        if (Interlocked.CompareExchange(ref _probing, 1, 0) != 0) return false;
        probe = true;
        return true;
    }

    /// <summary>The provider answered: healthy again. Returns true when it had been unhealthy.</summary>
    public bool Succeeded(bool probe)
    {
        var was = Interlocked.Exchange(ref _unhealthyUntilTicks, 0) != 0;
        _lastError = null;
        if (probe) Volatile.Write(ref _probing, 0);
        return was;
    }

    public void MarkUnhealthy(DateTimeOffset until, string error, bool probe)
    {
        _lastError = error;
        Volatile.Write(ref _unhealthyUntilTicks, Math.Max(until.UtcTicks, 1));
        if (probe) Volatile.Write(ref _probing, 0);
    }

    /// <summary>The request ended without a verdict on the provider's health (a transient error, a cancellation).</summary>
    public void Release(bool probe)
    {
        if (probe) Volatile.Write(ref _probing, 0);
    }
}
