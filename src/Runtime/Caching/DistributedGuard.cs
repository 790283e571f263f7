using Microsoft.Extensions.Logging;

namespace PromptOps.Caching;

/// <summary>
/// Keeps the L2 store out of the request path while it is down: the first failure logs one warning and opens the
/// guard for the retry interval; while open, L2 is skipped; the first success after that logs the recovery.
/// </summary>
internal sealed class DistributedGuard(string storeName, TimeSpan retryInterval, TimeProvider time, ILogger logger)
{
    private readonly object _gate = new();
    private bool _down;
    private long _retryAt;

    public bool IsDown
    {
        get
        {
            lock (_gate) return _down;
        }
    }

    public bool ShouldTry()
    {
        lock (_gate)
        {
            if (!_down) return true;
            var now = time.GetTimestamp();
            if (now < _retryAt) return false;

            // One probe per interval: later callers keep skipping L2 until the probe succeeds or fails.
            _retryAt = now + (long)(retryInterval.TotalSeconds * time.TimestampFrequency);
            return true;
        }
    }

    public void Failed(Exception e)
    {
        bool first;
        lock (_gate)
        {
            first = !_down;
            _down = true;
            _retryAt = time.GetTimestamp() + (long)(retryInterval.TotalSeconds * time.TimestampFrequency);
        }

        if (first) PromptCacheLog.DistributedUnavailable(logger, storeName, retryInterval, e);
    }

    public void Succeeded()
    {
        bool recovered;
        lock (_gate)
        {
            recovered = _down;
            _down = false;
        }

        if (recovered) PromptCacheLog.DistributedRecovered(logger, storeName);
    }
}
