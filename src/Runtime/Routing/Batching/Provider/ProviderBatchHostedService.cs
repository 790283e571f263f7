using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace PromptOps.Routing.Batching;

/// <summary>
/// Runs the <see cref="ProviderBatchScheduler"/> with the application's host, registered by <c>AddPromptOpsBatching</c>:
/// when the host starts, the stored batches of earlier runs are resumed (<see cref="ProviderBatchScheduler.ResumeAsync"/>) in
/// the background, so start-up does not wait for the store or the provider; when it stops, the scheduler stops accepting
/// calls and polling (<see cref="ProviderBatchScheduler.StopAsync"/>), leaving queued and submitted items in the store for
/// the next start.
/// </summary>
[Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
internal sealed class ProviderBatchHostedService(ProviderBatchScheduler scheduler, ILogger<ProviderBatchHostedService>? logger = null) : IHostedService, IDisposable
{
    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;
    private readonly CancellationTokenSource _stopping = new();
    private Task _resume = Task.CompletedTask;

    /// <summary>The background resume started by <see cref="StartAsync"/> (completed before it is called).</summary>
    internal Task Resume => _resume;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var token = _stopping.Token;
        _resume = Task.Run(() => ResumeUntilDoneAsync(token), CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Resumes; a failure (the store or the provider unreachable at start-up) is logged and tried again with the polling
    /// back-off (<see cref="ProviderBatchOptions.FirstPollDelay"/>, doubling up to <see cref="ProviderBatchOptions.MaxPollDelay"/>)
    /// until it succeeds or the host stops, so that stored results reach the handler in this run, not only after a restart.
    /// </summary>
    private async Task ResumeUntilDoneAsync(CancellationToken token)
    {
        var delay = scheduler.Options.FirstPollDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await scheduler.ResumeAsync(token).ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return; // the host stopped while resuming: what was not resumed stays stored for the next start
            }
#pragma warning disable CA1031 // a store or provider fault while resuming is logged and tried again; it never takes the host down
            catch (Exception e)
#pragma warning restore CA1031
            {
                BatchingLog.ResumeFailed(_logger, attempt, delay, e);
            }

            try
            {
                await Task.Delay(delay, scheduler.Time, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = scheduler.NextPollDelay(delay);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await scheduler.StopAsync(cancellationToken).ConfigureAwait(false);
        await _resume.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _stopping.Dispose();
}
