using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PromptOps.Pricing;
using PromptOps.Tokens;

namespace PromptOps.Routing;

/// <summary>
/// Queues small tasks that share one instruction (classify this review, translate this label, …) and sends them as
/// one call: the items numbered, the answer a JSON array of <c>{"id": n, "answer": "…"}</c>. A batch is sent when it
/// holds <see cref="BatchProcessorOptions.MaxBatchSize"/> items or <see cref="BatchProcessorOptions.MaxDelay"/> after
/// its first item. Items the reply does not answer — missing, invalid, a duplicate id's later answers, the whole reply
/// when it is not a JSON array or the call failed — are asked again in single calls, so every task gets exactly one
/// answer (or the exception of its own single call); none is lost or answered twice. <see cref="Statistics"/> reports
/// the per-request overhead (instructions and framing) the batching saved.
/// </summary>
public sealed class BatchProcessor : IAsyncDisposable
{
    private const int MessageFraming = 3 + 4 + 4; // reply priming + two messages (OpenAI chat format)

    private readonly IChatClient _client;
    private readonly BatchProcessorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ITokenCounter _counter;
    private readonly decimal? _inputPricePerMillion;
    private readonly SemaphoreSlim _singles;
    private readonly object _lock = new();
    private readonly HashSet<Task> _running = [];
    private List<Pending> _pending = [];
    private ITimer? _timer;
    private bool _disposed;
    private long _items, _inBatch, _batchCalls, _singleCalls, _failedBatches, _input, _output, _saved;

    /// <summary>Creates the processor.</summary>
    /// <param name="client">The client every call goes through (the whole PromptOps pipeline, typically).</param>
    /// <param name="options">The task, sizes and call options; invalid options throw an <see cref="ArgumentException"/>.</param>
    /// <param name="prices">Prices the saved overhead (the defaults when null).</param>
    /// <param name="timeProvider">The clock of the flush timer.</param>
    /// <param name="logger">Logs batch replies that could not be used.</param>
    public BatchProcessor(IChatClient client, BatchProcessorOptions options, PriceCatalog? prices = null, TimeProvider? timeProvider = null,
        ILogger<BatchProcessor>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.GetErrors().ToList();
        if (errors.Count > 0) throw new ArgumentException(string.Join(Environment.NewLine, errors), nameof(options));
        _client = client;
        _options = new BatchProcessorOptions
        {
            Instructions = options.Instructions,
            MaxBatchSize = options.MaxBatchSize,
            MaxDelay = options.MaxDelay,
            ChatOptions = options.ChatOptions?.Clone(),
            AnswerValidator = options.AnswerValidator,
            MaxParallelSingleCalls = options.MaxParallelSingleCalls,
        };
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        var model = _options.ChatOptions?.ModelId ?? "gpt-4o-mini";
        _counter = TokenCounters.ForModel(model);
        _inputPricePerMillion = (prices ?? new PriceCatalog()).TryGetPrice(model, out var p) ? p.InputPerMillion : null;
        _singles = new SemaphoreSlim(_options.MaxParallelSingleCalls);
        OverheadTokensPerRequest = _counter.CountTokens(_options.Instructions) + MessageFraming;
    }

    /// <summary>The input tokens one single call spends besides its item.</summary>
    public long OverheadTokensPerRequest { get; }

    /// <summary>What the processor did so far.</summary>
    public BatchStatistics Statistics
    {
        get
        {
            var saved = Interlocked.Read(ref _saved);
            return new BatchStatistics
            {
                Items = Interlocked.Read(ref _items),
                ItemsAnsweredInBatch = Interlocked.Read(ref _inBatch),
                BatchCalls = Interlocked.Read(ref _batchCalls),
                SingleCalls = Interlocked.Read(ref _singleCalls),
                FailedBatchCalls = Interlocked.Read(ref _failedBatches),
                InputTokens = Interlocked.Read(ref _input),
                OutputTokens = Interlocked.Read(ref _output),
                OverheadTokensPerRequest = OverheadTokensPerRequest,
                OverheadTokensSaved = saved,
                OverheadCostSavedUsd = _inputPricePerMillion is { } price ? saved * price / 1_000_000m : null,
            };
        }
    }

    /// <summary>Queues <paramref name="item"/> and returns its answer when its batch (or its single call) has answered.</summary>
    /// <param name="item">The item's text.</param>
    /// <param name="cancellationToken">Stops waiting; an item not yet sent is then not sent.</param>
    public Task<string> ProcessAsync(string item, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(item);
        var pending = new Pending(item);
        List<Pending>? full = null;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _pending.Add(pending);
            Interlocked.Increment(ref _items);
            if (_pending.Count >= _options.MaxBatchSize) full = TakeLocked();
            else if (_pending.Count == 1) _timer = _time.CreateTimer(static s => ((BatchProcessor)s!).OnTimer(), this, _options.MaxDelay, Timeout.InfiniteTimeSpan);
        }

        if (full is not null) Dispatch(full);
        if (cancellationToken.CanBeCanceled)
        {
            var registration = cancellationToken.Register(static s => ((Pending)s!).Completion.TrySetCanceled(), pending);
            _ = pending.Completion.Task.ContinueWith(static (_, r) => ((CancellationTokenRegistration)r!).Dispose(), registration, CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        return pending.Completion.Task;
    }

    /// <summary>Sends what is queued now and waits until every batch sent so far has answered.</summary>
    public async Task FlushAsync()
    {
        List<Pending>? batch;
        lock (_lock) batch = _pending.Count > 0 ? TakeLocked() : null;
        if (batch is not null) Dispatch(batch);
        Task[] running;
        lock (_lock) running = [.. _running];
        await Task.WhenAll(running).ConfigureAwait(false);
    }

    /// <summary>Sends what is queued, waits for every answer, and stops accepting items.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
        }

        await FlushAsync().ConfigureAwait(false);
        _singles.Dispose();
    }

    private void OnTimer()
    {
        List<Pending>? batch;
        lock (_lock) batch = _pending.Count > 0 ? TakeLocked() : null;
        if (batch is not null) Dispatch(batch);
    }

    private List<Pending> TakeLocked()
    {
        var batch = _pending;
        _pending = [];
        _timer?.Dispose();
        _timer = null;
        return batch;
    }

    private void Dispatch(List<Pending> batch)
    {
        var task = Task.Run(() => RunAsync(batch));
        lock (_lock) _running.Add(task);
        _ = task.ContinueWith(t =>
        {
            lock (_lock) _running.Remove(t);
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task RunAsync(List<Pending> batch)
    {
        // Items whose callers stopped waiting are not sent.
        var items = batch.Where(p => !p.Completion.Task.IsCompleted).ToList();
        if (items.Count == 0) return;
        var unanswered = items.Count == 1 ? items : await RunBatchAsync(items).ConfigureAwait(false);
        await Task.WhenAll(unanswered.Select(RunSingleAsync)).ConfigureAwait(false);
    }

    // Returns the items the batch did not answer.
    private async Task<List<Pending>> RunBatchAsync(List<Pending> items)
    {
        var system = BatchInstructions(items.Count);
        var user = new StringBuilder();
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0) user.Append("\n\n");
            user.Append("### Item ").Append((i + 1).ToString(CultureInfo.InvariantCulture)).Append('\n').Append(items[i].Item);
        }

        var options = _options.ChatOptions?.Clone() ?? new ChatOptions();
        if (_options.ChatOptions?.MaxOutputTokens is { } perItem) options.MaxOutputTokens = checked((perItem + 12) * items.Count + 4);
        Interlocked.Increment(ref _batchCalls);
        ChatResponse response;
        try
        {
            response = await _client.GetResponseAsync([new ChatMessage(ChatRole.System, system), new ChatMessage(ChatRole.User, user.ToString())], options)
                .ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Interlocked.Increment(ref _failedBatches);
            BatchLog.BatchFailed(_logger, items.Count, e);
            return items;
        }

        CountUsage(response);
        var answers = Parse(response.Text, items.Count);
        if (answers is null)
        {
            Interlocked.Increment(ref _failedBatches);
            BatchLog.Unparseable(_logger, items.Count);
            return items;
        }

        var missing = new List<Pending>();
        var answered = new List<(Pending Item, string Answer)>();
        for (var i = 0; i < items.Count; i++)
        {
            if (answers[i] is { } a && (_options.AnswerValidator?.Invoke(a) ?? true)) answered.Add((items[i], a));
            else missing.Add(items[i]);
        }

        // Statistics first, so that a caller who has all its answers reads complete figures.
        Interlocked.Add(ref _inBatch, answered.Count);
        var labels = items.Count * _counter.CountTokens("### Item 10\n\n\n");
        var batchOverhead = _counter.CountTokens(system) + MessageFraming + labels;
        Interlocked.Add(ref _saved, answered.Count * OverheadTokensPerRequest - batchOverhead);
        foreach (var (item, answer) in answered) item.Completion.TrySetResult(answer);
        return missing;
    }

    private async Task RunSingleAsync(Pending item)
    {
        if (item.Completion.Task.IsCompleted) return;
        await _singles.WaitAsync().ConfigureAwait(false);
        try
        {
            if (item.Completion.Task.IsCompleted) return;
            Interlocked.Increment(ref _singleCalls);
            var response = await _client.GetResponseAsync(
                [new ChatMessage(ChatRole.System, _options.Instructions), new ChatMessage(ChatRole.User, item.Item)],
                _options.ChatOptions?.Clone()).ConfigureAwait(false);
            CountUsage(response);
            item.Completion.TrySetResult(response.Text.Trim());
        }
        catch (Exception e)
        {
            item.Completion.TrySetException(e);
        }
        finally
        {
            _singles.Release();
        }
    }

    private void CountUsage(ChatResponse response)
    {
        Interlocked.Add(ref _input, response.Usage?.InputTokenCount ?? 0);
        Interlocked.Add(ref _output, response.Usage?.OutputTokenCount ?? 0);
    }

    private string BatchInstructions(int count) =>
        _options.Instructions.TrimEnd() + "\n\n" +
        $"You are given {count.ToString(CultureInfo.InvariantCulture)} numbered items. Apply the task to each item on its own. " +
        "Reply with only a JSON array with one object per item, in item order: " +
        "[{\"id\": 1, \"answer\": \"...\"}, {\"id\": 2, \"answer\": \"...\"}]. Each answer is a string.";

    /// <summary>
    /// Reads a batch reply: a JSON array (optionally in a code fence) of objects with a numeric <c>id</c> in 1..count and
    /// an <c>answer</c> (a string, or a number or boolean written as text). Returns one slot per item, null where the
    /// reply has no usable answer (the first answer of a duplicated id wins); null when the reply is not a JSON array.
    /// </summary>
    internal static string?[]? Parse(string reply, int count)
    {
        var text = CascadeEvaluators.StripFence(reply);
        var start = text.IndexOf('[', StringComparison.Ordinal);
        var end = text.LastIndexOf(']');
        if (start < 0 || end < start) return null;
        try
        {
            using var doc = JsonDocument.Parse(text.AsMemory(start, end - start + 1));
            if (doc.RootElement.ValueKind != JsonValueKind.Array) return null;
            var answers = new string?[count];
            foreach (var element in doc.RootElement.EnumerateArray())
            {
                if (element.ValueKind != JsonValueKind.Object
                    || !element.TryGetProperty("id", out var id) || !id.TryGetInt32(out var n) || n < 1 || n > count
                    || answers[n - 1] is not null
                    || !element.TryGetProperty("answer", out var answer))
                {
                    continue;
                }

                var value = answer.ValueKind switch
                {
                    JsonValueKind.String => answer.GetString(),
                    JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => answer.GetRawText(),
                    _ => null,
                };
                if (!string.IsNullOrWhiteSpace(value)) answers[n - 1] = value.Trim();
            }

            return answers;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed class Pending(string item)
    {
        public string Item { get; } = item;

        public TaskCompletionSource<string> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
