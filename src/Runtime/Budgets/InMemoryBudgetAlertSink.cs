namespace PromptOps.Budgets;

/// <summary>Keeps every alert in memory (tests, a dashboard of the current process).</summary>
public sealed class InMemoryBudgetAlertSink : IBudgetAlertSink
{
    private readonly object _gate = new();
    private readonly List<BudgetAlert> _alerts = [];

    /// <summary>The alerts received, in order.</summary>
    public IReadOnlyList<BudgetAlert> Alerts
    {
        get
        {
            lock (_gate) return [.. _alerts];
        }
    }

    /// <inheritdoc />
    public ValueTask PublishAsync(BudgetAlert alert, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alert);
        lock (_gate) _alerts.Add(alert);
        return ValueTask.CompletedTask;
    }
}
