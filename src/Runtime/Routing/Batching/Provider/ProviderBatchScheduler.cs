using System.Diagnostics.CodeAnalysis;
using System.Collections.Concurrent;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PromptOps.Caching;
using PromptOps.Pricing;
using PromptOps.Usage;

namespace PromptOps.Routing.Batching;

/// <summary>
/// Sends deferrable calls through the provider's batch API (OpenAI Batch, Anthropic Message Batches) at the batch discount.
/// <see cref="EnqueueAsync"/> stores the call (<see cref="IProviderBatchStore"/>) and queues it; a batch is submitted when
/// it holds <see cref="ProviderBatchOptions.MaxBatchSize"/> items or <see cref="ProviderBatchOptions.MaxBatchAge"/> after its
/// first one. Each submitted batch is polled with exponential back-off (<see cref="ProviderBatchOptions.FirstPollDelay"/>,
/// doubling up to <see cref="ProviderBatchOptions.MaxPollDelay"/>); when it ends, its results are mapped back by
/// <c>custom_id</c>, items that expired, failed with a retryable error or have no result are queued again (at most
/// <see cref="ProviderBatchOptions.MaxItemAttempts"/> batches per item), and each final result is delivered once: to the
/// caller's task when the caller is still waiting in this process, else to the registered
/// <see cref="IProviderBatchResultHandler"/> (which the usage ledger then records, priced at the batch rate; a caller's
/// call is recorded by the usage meter around the pipeline). With a store that outlives the process (PromptOps.Sqlite),
/// <see cref="ResumeAsync"/> on start-up picks up what a stopped process left: open batches are polled again, batches that
/// were never accepted are submitted again, queued items are queued, and stored results not yet delivered are delivered.
/// <c>services.AddPromptOpsBatching(…)</c> registers a hosted service that calls <see cref="ResumeAsync"/> in the background
/// when the host starts and <see cref="StopAsync"/> when it stops.
/// </summary>
[Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
public sealed class ProviderBatchScheduler : IAsyncDisposable, IDisposable
{
    private readonly ProviderBatchOptions _options;

    /// <summary>The options in effect (a copy of those given).</summary>
    internal ProviderBatchOptions Options => _options;

    /// <summary>The clock.</summary>
    internal TimeProvider Time => _time;

    /// <summary>The polling back-off's next wait after <paramref name="delay"/>: twice as long, at most <see cref="ProviderBatchOptions.MaxPollDelay"/>.</summary>
    internal TimeSpan NextPollDelay(TimeSpan delay) => TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxPollDelay.Ticks));
    private readonly IProviderBatchStore _store;
    private readonly IProviderBatchResultHandler? _handler;
    private readonly PriceCatalog _prices;
    private readonly IUsageSink[] _sinks;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly HttpClient? _ownedHttp;
    private readonly IBatchApi _openAI;
    private readonly IBatchApi _anthropic;
    private readonly CancellationTokenSource _stopping = new();
    private readonly object _lock = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<ChatResponse>> _waiters = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _delivering = new(StringComparer.Ordinal);
    /// <summary>Items this scheduler queued and has not delivered yet: a resume (which may run while calls arrive) leaves them alone.</summary>
    private readonly ConcurrentDictionary<string, byte> _owned = new(StringComparer.Ordinal);
    private readonly HashSet<string> _queuedIds = new(StringComparer.Ordinal);
    private readonly HashSet<string> _activeBatches = new(StringComparer.Ordinal);
    private readonly HashSet<Task> _running = [];
    private List<ProviderBatchItem> _pending = [];
    private ITimer? _timer;
    private Task? _stop;
    private bool _stopped;
    private bool _disposed;
    private long _queued, _submitted, _ended, _retried, _toCallers, _toHandler, _failed, _undelivered;

    /// <summary>Creates the scheduler.</summary>
    /// <param name="options">The provider and thresholds; invalid options throw an <see cref="ArgumentException"/> naming the bad value.</param>
    /// <param name="store">Where items and batches are kept; null: an <see cref="InMemoryProviderBatchStore"/> (nothing survives the process).</param>
    /// <param name="httpClient">The client the batch API is called with; null: one of its own (disposed with the scheduler).</param>
    /// <param name="handler">Receives results no caller waits for; null: such results stay stored, undelivered.</param>
    /// <param name="prices">Prices the results delivered to the handler (the defaults when null).</param>
    /// <param name="sinks">Where the usage of results delivered to the handler is recorded (the usage ledger).</param>
    /// <param name="timeProvider">The clock of the batch-age timer and the poll back-off.</param>
    /// <param name="logger">Logs submissions, failures and resumes.</param>
    public ProviderBatchScheduler(ProviderBatchOptions options, IProviderBatchStore? store = null, HttpClient? httpClient = null,
        IProviderBatchResultHandler? handler = null, PriceCatalog? prices = null, IEnumerable<IUsageSink>? sinks = null, TimeProvider? timeProvider = null,
        ILogger<ProviderBatchScheduler>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.GetErrors().ToList();
        if (errors.Count > 0) throw new ArgumentException(string.Join(Environment.NewLine, errors), nameof(options));
        _options = options.Clone();
        _store = store ?? new InMemoryProviderBatchStore();
        _handler = handler;
        _prices = prices ?? new PriceCatalog();
        _sinks = sinks?.ToArray() ?? [];
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        if (httpClient is null) _ownedHttp = httpClient = new HttpClient();
        _openAI = new OpenAIBatchApi(httpClient, _options);
        _anthropic = new AnthropicBatchApi(httpClient, _options);
    }

    /// <summary>
    /// The longest a call can wait for its answer: until its batch is submitted (<see cref="ProviderBatchOptions.MaxBatchAge"/>),
    /// then up to <see cref="ProviderBatchOptions.MaxItemAttempts"/> batches, each within the providers' 24-hour completion
    /// window and found by a poll at most <see cref="ProviderBatchOptions.MaxPollDelay"/> late. The budget holds a deferrable
    /// call's reservation this long.
    /// </summary>
    internal TimeSpan LongestWait => _options.MaxBatchAge + (TimeSpan.FromHours(24) + _options.MaxPollDelay) * Math.Max(1, _options.MaxItemAttempts);

    /// <summary>What the scheduler did so far.</summary>
    public ProviderBatchStatistics Statistics => new()
    {
        ItemsQueued = Interlocked.Read(ref _queued),
        BatchesSubmitted = Interlocked.Read(ref _submitted),
        BatchesEnded = Interlocked.Read(ref _ended),
        ItemsRetried = Interlocked.Read(ref _retried),
        DeliveredToCallers = Interlocked.Read(ref _toCallers),
        DeliveredToHandler = Interlocked.Read(ref _toHandler),
        ItemsFailed = Interlocked.Read(ref _failed),
        Undelivered = Interlocked.Read(ref _undelivered),
    };

    /// <summary>
    /// Stores and queues one call and returns its answer when its batch has answered (usage as the provider reported it).
    /// </summary>
    /// <param name="messages">Text messages (system, user, assistant).</param>
    /// <param name="options">The call's options: its model (else <paramref name="defaultModel"/>, else <see cref="ProviderBatchOptions.DefaultModel"/>),
    /// output limit, sampling, response format and PromptOps metadata (kept for the usage ledger).</param>
    /// <param name="defaultModel">The model when the options name none (the pipeline passes its client's default model).</param>
    /// <param name="cancellationToken">Stops waiting only: the stored item stays queued, and its result goes to the results handler.</param>
    /// <exception cref="NotSupportedException">The call has tools or non-text content.</exception>
    /// <exception cref="InvalidOperationException">No model is named anywhere.</exception>
    /// <exception cref="ProviderBatchItemException">The item has no answer (rejected, or expired / cancelled / failed on every attempt).</exception>
    public async Task<ChatResponse> EnqueueAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, string? defaultModel = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Volatile.Read(ref _stopped))
            throw new InvalidOperationException("The batch scheduler has stopped (its host is shutting down): it accepts no more deferrable calls.");
        var model = options?.ModelId ?? defaultModel ?? _options.DefaultModel ?? throw new InvalidOperationException(
            "A deferrable call names no model: set ChatOptions.ModelId, the client's default model or ProviderBatchOptions.DefaultModel.");
        var meta = options.GetPromptOps();
        var item = new ProviderBatchItem
        {
            Id = Guid.NewGuid().ToString("N"),
            Provider = _options.Provider,
            Model = model,
            RequestJson = Api(_options.Provider).BuildRequest(messages, options, model),
            Key = meta?.DeferralKey,
            PromptId = meta?.PromptId,
            PromptVersion = meta?.PromptVersion,
            Task = meta?.Task,
            UserId = PromptOpsContext.UserIdOf(meta),
            TenantId = PromptOpsContext.TenantIdOf(meta),
            Endpoint = meta?.Endpoint ?? meta?.PromptId,
            CreatedAt = _time.GetUtcNow(),
        };
        var waiter = new TaskCompletionSource<ChatResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiters[item.Id] = waiter;
        _owned[item.Id] = 0; // before it is stored: a resume reading the store meanwhile must not queue it a second time
        try
        {
            await _store.AddItemAsync(item, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _waiters.TryRemove(item.Id, out _);
            _owned.TryRemove(item.Id, out _);
            throw;
        }

        Interlocked.Increment(ref _queued);
        BatchingMetrics.ItemsCounted(item.Provider, "queued");
        if (!Queue(item) && _waiters.TryRemove(item.Id, out _))
        {
            // Stopped meanwhile: the item is stored (Queued), so the next resume submits it.
            waiter.TrySetException(new OperationCanceledException($"The batch scheduler stopped; deferred item {item.Id} stays stored and its result goes to the results handler after a resume."));
        }
        if (!cancellationToken.CanBeCanceled) return await waiter.Task.ConfigureAwait(false);
        using var registration = cancellationToken.Register(() =>
        {
            // The caller stops waiting: the result will go to the handler.
            if (_waiters.TryRemove(new KeyValuePair<string, TaskCompletionSource<ChatResponse>>(item.Id, waiter))) waiter.TrySetCanceled(cancellationToken);
        });
        return await waiter.Task.ConfigureAwait(false);
    }

    /// <summary>
    /// Picks up what the store holds from earlier runs (or from a process that stopped): delivers stored results not yet
    /// delivered (to the results handler), polls batches still open (submitting again those the provider never accepted),
    /// and queues items waiting for a batch. Call it once on start-up (with a host, the hosted service that
    /// <c>AddPromptOpsBatching</c> registers calls it); calls may arrive meanwhile: the items and batches this scheduler
    /// already runs are left alone. After <see cref="StopAsync"/> it does nothing.
    /// </summary>
    public async Task ResumeAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Volatile.Read(ref _stopped)) return;
        // Everything is read (and claimed) before anything is started, so that no batch this resume starts can change what it reads.
        var undelivered = await ClaimAsync(ProviderBatchItemState.Completed, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<ProviderBatchRecord> open;
        List<ProviderBatchItem> queued;
        try
        {
            open = await _store.GetOpenBatchesAsync(cancellationToken).ConfigureAwait(false);
            queued = await ClaimAsync(ProviderBatchItemState.Queued, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Nothing was started: release what this resume claimed, so that the next resume (the hosted service tries
            // again) takes those items instead of skipping them as this scheduler's own.
            foreach (var item in undelivered) _owned.TryRemove(item.Id, out _);
            throw;
        }

        foreach (var item in undelivered) await DeliverAsync(item).ConfigureAwait(false);
        var resumed = 0;
        foreach (var batch in open)
        {
            lock (_lock)
            {
                if (!_activeBatches.Add(batch.Id)) continue;
            }

            resumed++;
            Run(() => batch.ProviderBatchId is null ? SubmitAndPollAsync(batch) : PollAsync(batch));
        }

        foreach (var item in queued) _ = Queue(item);
        BatchingLog.Resumed(_logger, resumed, queued.Count, undelivered.Count);
    }

    /// <summary>
    /// The stored items in <paramref name="state"/> that nothing in this scheduler handles, claimed for a resume. Items this
    /// scheduler enqueued, queued again or is delivering are skipped (they are its own until delivered); the claimed ones are
    /// read again after the claim, so that an item this scheduler finished between the first read and the claim (delivered
    /// to its caller, then released) is not taken from the first read's stale copy and handed to the handler a second time.
    /// </summary>
    private async Task<List<ProviderBatchItem>> ClaimAsync(ProviderBatchItemState state, CancellationToken cancellationToken)
    {
        var read = await _store.GetItemsAsync(state, null, cancellationToken).ConfigureAwait(false);
        var claimed = read.Where(i => _owned.TryAdd(i.Id, 0)).Select(i => i.Id).ToHashSet(StringComparer.Ordinal);
        if (claimed.Count == 0) return [];
        try
        {
            var again = await _store.GetItemsAsync(state, null, cancellationToken).ConfigureAwait(false);
            var kept = again.Where(i => claimed.Contains(i.Id)).ToList();
            claimed.ExceptWith(kept.Select(i => i.Id));
            foreach (var gone in claimed) _owned.TryRemove(gone, out _);
            return kept;
        }
        catch
        {
            foreach (var id in claimed) _owned.TryRemove(id, out _);
            throw;
        }
    }

    /// <summary>Submits what is queued now (without waiting for the size or age threshold).</summary>
    public void Flush()
    {
        List<ProviderBatchItem>? batch;
        lock (_lock) batch = !_stopped && _pending.Count > 0 ? TakeLocked() : null;
        if (batch is not null) Run(() => SubmitNewAsync(batch));
    }

    /// <summary>
    /// Submits what is queued and waits until every batch this scheduler runs has ended and its results (and retries) were
    /// delivered. For tests, tools and orderly shutdowns; a service normally just lets batches end.
    /// </summary>
    public async Task DrainAsync()
    {
        while (true)
        {
            Flush();
            Task[] running;
            lock (_lock) running = [.. _running];
            if (running.Length == 0)
            {
                lock (_lock)
                {
                    if ((_pending.Count == 0 || _stopped) && _running.Count == 0) return;
                }

                continue;
            }

            await Task.WhenAll(running).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Stops accepting calls (<see cref="EnqueueAsync"/> then throws an <see cref="InvalidOperationException"/>) and stops
    /// polling, without submitting what is queued. Nothing is lost or cancelled at the provider: every call was stored when
    /// it was enqueued, so queued items stay queued and submitted items stay in their open batches in the store, for the
    /// next <see cref="ResumeAsync"/> (the next process, with a store that outlives this one). Callers still waiting get an
    /// <see cref="OperationCanceledException"/>; their results go to the results handler of the run that receives them.
    /// Waits until the scheduler's running work has stopped; <paramref name="cancellationToken"/> stops only that wait.
    /// Calling it again waits for the same stop.
    /// </summary>
    public Task StopAsync(CancellationToken cancellationToken = default)
    {
        Task stop;
        lock (_lock)
        {
            _stopped = true;
            _timer?.Dispose();
            _timer = null;
            stop = _stop ??= Task.Run(StopCoreAsync, CancellationToken.None);
        }

        return stop.WaitAsync(cancellationToken);
    }

    private async Task StopCoreAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        Task[] running;
        lock (_lock) running = [.. _running];
        try
        {
            await Task.WhenAll(running).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped as asked.
        }

        foreach (var (id, waiter) in _waiters)
        {
            if (_waiters.TryRemove(id, out _))
                waiter.TrySetException(new OperationCanceledException($"The batch scheduler stopped; deferred item {id} stays stored and its result goes to the results handler after a resume."));
        }
    }

    /// <summary>
    /// <see cref="StopAsync"/>, then releases the scheduler's own HTTP client. Queued and submitted items stay in the store
    /// for the next <see cref="ResumeAsync"/>.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        Release();
    }

    /// <summary>
    /// <see cref="DisposeAsync"/> for code that disposes synchronously (a <c>ServiceProvider</c> disposed with
    /// <c>Dispose()</c>, a <c>using</c> statement): waits for the same stop, which runs on the thread pool, then releases
    /// the HTTP client.
    /// </summary>
    public void Dispose()
    {
        StopAsync().GetAwaiter().GetResult();
        Release();
    }

    private void Release()
    {
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
        }

        _stopping.Dispose();
        _ownedHttp?.Dispose();
    }

    private IBatchApi Api(BatchProviderKind provider) => provider == BatchProviderKind.Anthropic ? _anthropic : _openAI;

    /// <summary>Adds an item to the next batch; false when the scheduler has stopped.</summary>
    private bool Queue(ProviderBatchItem item)
    {
        List<ProviderBatchItem>? full = null;
        _owned.TryAdd(item.Id, 0);
        lock (_lock)
        {
            if (_stopped) return false;
            if (!_queuedIds.Add(item.Id)) return true;
            _pending.Add(item);
            if (_pending.Count >= _options.MaxBatchSize) full = TakeLocked();
            else if (_pending.Count == 1) _timer = _time.CreateTimer(static s => ((ProviderBatchScheduler)s!).Flush(), this, _options.MaxBatchAge, Timeout.InfiniteTimeSpan);
        }

        if (full is not null) Run(() => SubmitNewAsync(full));
        return true;
    }

    private List<ProviderBatchItem> TakeLocked()
    {
        var batch = _pending;
        _pending = [];
        foreach (var item in batch) _queuedIds.Remove(item.Id);
        _timer?.Dispose();
        _timer = null;
        return batch;
    }

    private void Run(Func<Task> work)
    {
        lock (_lock)
        {
            if (_stopped) return;
            var task = Task.Run(work);
            _running.Add(task);
            _ = task.ContinueWith(t =>
            {
                lock (_lock) _running.Remove(t);
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private async Task SubmitNewAsync(List<ProviderBatchItem> items)
    {
        var batch = new ProviderBatchRecord { Id = Guid.NewGuid().ToString("N"), Provider = _options.Provider, ItemCount = items.Count, CreatedAt = _time.GetUtcNow() };
        lock (_lock) _activeBatches.Add(batch.Id);
        await _store.AddBatchAsync(batch, [.. items.Select(i => i.Id)], _stopping.Token).ConfigureAwait(false);
        await SubmitAndPollAsync(batch).ConfigureAwait(false);
    }

    private async Task SubmitAndPollAsync(ProviderBatchRecord batch)
    {
        var token = _stopping.Token;
        var items = await _store.GetItemsAsync(ProviderBatchItemState.Submitted, batch.Id, token).ConfigureAwait(false);
        if (items.Count == 0)
        {
            await EndAsync(batch, BatchRunState.Ended, "created", null, new Dictionary<string, BatchApiItemResult>()).ConfigureAwait(false);
            return;
        }

        string providerBatchId;
        try
        {
            providerBatchId = await Api(batch.Provider).SubmitAsync([.. items.Select(i => (i.Id, i.RequestJson))], token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            return; // stopping: the batch stays open without a provider id, and a resume submits it again
        }
#pragma warning disable CA1031 // a failed submission is a failed attempt of each item, never an unobserved exception
        catch (Exception e)
#pragma warning restore CA1031
        {
            BatchingLog.SubmitFailed(_logger, batch.Id, items.Count, e);
            await EndAsync(batch, BatchRunState.Failed, "submit_failed", "the batch could not be submitted: " + e.Message, new Dictionary<string, BatchApiItemResult>())
                .ConfigureAwait(false);
            return;
        }

        batch = batch with { ProviderBatchId = providerBatchId, Status = "submitted" };
        await _store.UpdateBatchAsync(batch, token).ConfigureAwait(false);
        Interlocked.Increment(ref _submitted);
        BatchingLog.Submitted(_logger, items.Count, batch.Provider, providerBatchId, batch.Id);
        await PollAsync(batch).ConfigureAwait(false);
    }

    private async Task PollAsync(ProviderBatchRecord batch)
    {
        var token = _stopping.Token;
        var api = Api(batch.Provider);
        var providerBatchId = batch.ProviderBatchId!;
        var delay = _options.FirstPollDelay;
        try
        {
            while (true)
            {
                await Task.Delay(delay, _time, token).ConfigureAwait(false);
                var wait = delay;
                delay = NextPollDelay(delay);
                BatchApiStatus status;
                try
                {
                    status = await api.GetStatusAsync(providerBatchId, token).ConfigureAwait(false);
                }
                catch (BatchApiException e) when (e.IsPermanent)
                {
                    // The provider does not know the batch (or refuses to show it): its items count one failed attempt.
                    BatchingLog.PollFailed(_logger, providerBatchId, wait, e);
                    await EndAsync(batch, BatchRunState.Failed, "unknown", e.Message, new Dictionary<string, BatchApiItemResult>()).ConfigureAwait(false);
                    return;
                }
                catch (Exception e) when (!token.IsCancellationRequested && e is HttpRequestException or BatchApiException or FormatException or System.Text.Json.JsonException or TaskCanceledException)
                {
                    BatchingLog.PollFailed(_logger, providerBatchId, delay, e);
                    continue;
                }

                if (status.Status != batch.Status)
                {
                    batch = batch with { Status = status.Status };
                    await _store.UpdateBatchAsync(batch, token).ConfigureAwait(false);
                }

                if (status.State == BatchRunState.Running) continue;
                IReadOnlyDictionary<string, BatchApiItemResult> results;
                try
                {
                    results = await api.ReadResultsAsync(status, token).ConfigureAwait(false);
                }
                catch (Exception e) when (!token.IsCancellationRequested && e is HttpRequestException or BatchApiException or FormatException or System.Text.Json.JsonException or TaskCanceledException)
                {
                    BatchingLog.ResultsFailed(_logger, providerBatchId, delay, e);
                    continue;
                }

                await EndAsync(batch, status.State, status.Status, status.Error, results).ConfigureAwait(false);
                return;
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Stopping: the batch stays open in the store; a resume polls it again.
        }
    }

    /// <summary>Maps a batch's results onto its items: final outcomes are stored and delivered, retryable failures queued again.</summary>
    private async Task EndAsync(ProviderBatchRecord batch, BatchRunState state, string status, string? error, IReadOnlyDictionary<string, BatchApiItemResult> results)
    {
        var token = _stopping.Token;
        var items = await _store.GetItemsAsync(ProviderBatchItemState.Submitted, batch.Id, token).ConfigureAwait(false);
        // This scheduler delivers (or queues again) these items: a resume running meanwhile must not deliver them too.
        foreach (var item in items) _owned.TryAdd(item.Id, 0);
        var now = _time.GetUtcNow();
        var outcomes = new List<ProviderBatchItemOutcome>();
        var retry = new List<(string ItemId, string Error)>();
        var completed = new List<ProviderBatchItem>();
        var requeued = new List<ProviderBatchItem>();
        foreach (var item in items)
        {
            var r = results.TryGetValue(item.Id, out var found) ? found : Missing(state, error);
            if (r.ResponseJson is null && r.Retryable && item.Attempts < _options.MaxItemAttempts)
            {
                retry.Add((item.Id, r.Error ?? "no result"));
                requeued.Add(item with { State = ProviderBatchItemState.Queued, BatchId = null, Error = r.Error });
                continue;
            }

            var outcome = new ProviderBatchItemOutcome(item.Id, r.ResponseJson, r.ResponseJson is null ? r.Error ?? "no result" : null,
                r.ResponseJson is null ? r.Failure ?? ProviderBatchFailureKind.Errored : null);
            outcomes.Add(outcome);
            completed.Add(item with { State = ProviderBatchItemState.Completed, ResultJson = outcome.ResultJson, Error = outcome.Error, Failure = outcome.Failure, CompletedAt = now });
        }

        // Outcomes first, then the batch's end: a process that stops in between reads the results again on resume, and
        // the conditional updates leave the items already completed as they are.
        await _store.CompleteItemsAsync(batch.Id, outcomes, retry, now, CancellationToken.None).ConfigureAwait(false);
        await _store.UpdateBatchAsync(batch with { Status = status, Ended = true, EndedAt = now }, CancellationToken.None).ConfigureAwait(false);
        lock (_lock) _activeBatches.Remove(batch.Id);
        Interlocked.Increment(ref _ended);
        Interlocked.Add(ref _retried, retry.Count);
        BatchingMetrics.BatchEnded(batch.Provider, status);
        BatchingMetrics.ItemsCounted(batch.Provider, "retried", retry.Count);
        var failedCount = completed.Count(i => i.ResultJson is null);
        BatchingLog.Ended(_logger, batch.ProviderBatchId ?? batch.Id, status, completed.Count - failedCount, failedCount, retry.Count);
        foreach (var item in completed) await DeliverAsync(item).ConfigureAwait(false);
        foreach (var item in requeued) _ = Queue(item);
    }

    private static BatchApiItemResult Missing(BatchRunState state, string? error) => state switch
    {
        BatchRunState.Failed => new(null, error ?? "the batch failed", ProviderBatchFailureKind.BatchFailed, true),
        BatchRunState.Expired => new(null, "the batch expired before the item was processed", ProviderBatchFailureKind.Expired, true),
        BatchRunState.Cancelled => new(null, "the batch was cancelled before the item was processed", ProviderBatchFailureKind.Cancelled, false),
        _ => new(null, "the batch ended without a result for the item", ProviderBatchFailureKind.Errored, true),
    };

    /// <summary>Delivers one completed item once: to its waiting caller, else to the handler (then records its usage).</summary>
    private async Task DeliverAsync(ProviderBatchItem item)
    {
        if (!_delivering.TryAdd(item.Id, 0)) return;
        try
        {
            ChatResponse? response = null;
            Exception? failure = null;
            if (item.ResultJson is { } json)
            {
                try
                {
                    response = Api(item.Provider).ParseResponse(json);
                }
                catch (Exception e) when (e is FormatException or System.Text.Json.JsonException or InvalidOperationException)
                {
                    failure = new ProviderBatchItemException(item.Id, ProviderBatchFailureKind.Errored, "the stored result could not be read: " + e.Message, item.Attempts);
                }
            }
            else
            {
                failure = new ProviderBatchItemException(item.Id, item.Failure ?? ProviderBatchFailureKind.Errored, item.Error, item.Attempts);
            }

            if (_waiters.TryRemove(item.Id, out var waiter))
            {
                if (!await _store.MarkDeliveredAsync(item.Id, "caller", _time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false)) return;
                Interlocked.Increment(ref _toCallers);
                if (failure is not null) Interlocked.Increment(ref _failed);
                BatchingMetrics.ItemsCounted(item.Provider, failure is null ? "to_caller" : "failed");
                if (response is not null) waiter.TrySetResult(response);
                else waiter.TrySetException(failure!);
                return;
            }

            if (_handler is null)
            {
                Interlocked.Increment(ref _undelivered);
                BatchingMetrics.ItemsCounted(item.Provider, "undelivered");
                BatchingLog.NoHandler(_logger, item.Id);
                return;
            }

            var result = new ProviderBatchResult
            {
                ItemId = item.Id,
                Key = item.Key,
                PromptId = item.PromptId,
                Response = response,
                Failure = response is null ? (failure as ProviderBatchItemException)?.Failure ?? ProviderBatchFailureKind.Errored : null,
                Error = response is null ? (failure as ProviderBatchItemException)?.ProviderError ?? failure?.Message : null,
                Attempts = item.Attempts,
            };
            try
            {
                await _handler.HandleAsync(result, _stopping.Token).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // the handler's fault keeps the result stored for the next resume; it never stops the scheduler
            catch (Exception e)
#pragma warning restore CA1031
            {
                BatchingLog.HandlerFailed(_logger, item.Id, e);
                return;
            }

            if (!await _store.MarkDeliveredAsync(item.Id, "handler", _time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false)) return;
            Interlocked.Increment(ref _toHandler);
            if (failure is not null) Interlocked.Increment(ref _failed);
            BatchingMetrics.ItemsCounted(item.Provider, failure is null ? "to_handler" : "failed");
            RecordUsage(item, response);
        }
        finally
        {
            _delivering.TryRemove(item.Id, out _);
            _owned.TryRemove(item.Id, out _); // delivered, or left stored for the next resume (no handler, or the handler failed)
        }
    }

    /// <summary>The usage ledger's record of a result delivered to the handler (no usage meter saw it): priced at the batch rate.</summary>
    private void RecordUsage(ProviderBatchItem item, ChatResponse? response)
    {
        if (_sinks.Length == 0) return;
        var usage = response?.Usage;
        var model = response?.ModelId ?? item.Model;
        var cost = usage is null ? new CallCost(model, null) : _prices.Cost(model, usage, batch: true);
        var record = new UsageRecord
        {
            Timestamp = item.CreatedAt,
            PromptId = item.PromptId,
            PromptVersion = item.PromptVersion,
            Task = item.Task,
            Endpoint = item.Endpoint,
            UserId = item.UserId,
            TenantId = item.TenantId,
            ModelId = model,
            InputTokens = usage?.InputTokenCount ?? 0,
            CachedInputTokens = usage?.CachedInputTokenCount ?? 0,
            OutputTokens = usage?.OutputTokenCount ?? 0,
            CacheWriteInputTokens = ProviderUsage.CacheWriteInputTokens(usage) ?? 0,
            ReasoningTokens = ProviderUsage.ReasoningTokens(usage) ?? 0,
            CostUsd = response is null ? 0m : cost.Usd,
            IsPriced = response is null || cost.IsPriced,
            CacheLayer = CacheLayer.None,
            Latency = (item.CompletedAt ?? _time.GetUtcNow()) - item.CreatedAt,
            Outcome = response is null ? UsageOutcome.Failed : UsageOutcome.Success,
            ErrorType = response is null ? nameof(ProviderBatchItemException) : null,
        };
        foreach (var sink in _sinks)
        {
            try
            {
                sink.Record(record);
            }
#pragma warning disable CA1031 // a sink's fault is its own (IUsageSink's contract): logged, never thrown
            catch (Exception e)
#pragma warning restore CA1031
            {
                BatchingLog.HandlerFailed(_logger, item.Id, e);
            }
        }
    }
}
