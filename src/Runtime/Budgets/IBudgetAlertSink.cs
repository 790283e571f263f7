namespace PromptOps.Budgets;

/// <summary>
/// Receives budget alerts. Register any number in the service collection; each alert is delivered to each once. A sink
/// should return quickly (queue slow work such as a webhook): it is awaited on the request that crossed the threshold.
/// An exception is logged and does not fail the request.
/// </summary>
public interface IBudgetAlertSink
{
    /// <summary>Delivers <paramref name="alert"/>.</summary>
    ValueTask PublishAsync(BudgetAlert alert, CancellationToken cancellationToken);
}
