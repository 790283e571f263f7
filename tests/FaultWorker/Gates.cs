namespace PromptOps.FaultWorker;

/// <summary>
/// Holds provider calls while a fault is injected: when <see cref="Hold"/> is on, a call that reaches the provider waits
/// there (counted in <see cref="Held"/>) until <see cref="Release"/>. So calls reserved before a fault are settled after it.
/// </summary>
internal sealed class Gates
{
    private readonly object _gate = new();
    private TaskCompletionSource? _hold;
    private int _held;

    public int Held => Volatile.Read(ref _held);

    public void Hold()
    {
        lock (_gate) _hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public void Release()
    {
        TaskCompletionSource? hold;
        lock (_gate)
        {
            hold = _hold;
            _hold = null;
        }

        hold?.TrySetResult();
    }

    public async Task InProviderAsync()
    {
        Task? wait;
        lock (_gate) wait = _hold?.Task;
        if (wait is null) return;
        Interlocked.Increment(ref _held);
        await wait.ConfigureAwait(false);
    }
}
