using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PromptOps.Budgets;
using PromptOps.Caching;
using PromptOps.Knowledge;
using PromptOps.Pricing;
using PromptOps.Routing;
using PromptOps.Tokens;

namespace PromptOps.Usage;

/// <summary>
/// Meters every call: cost spent on provider calls, cost saved by cache hits (kept apart), the request's outcome and
/// cache layer (<see cref="PromptOpsMetrics"/>), one <c>promptops.chat</c> span per request with the same figures as
/// <c>promptops.*</c> attributes (when the activity source <see cref="PromptOpsMetrics.ActivitySourceName"/> is listened
/// to), and one <see cref="UsageRecord"/> per call for each <see cref="IUsageSink"/>. Place it outermost so that it sees
/// cache hits (<c>UsePromptOps</c> does). Tokens and provider-call durations (<c>gen_ai.*</c>) are Microsoft.Extensions.AI's
/// <c>UseOpenTelemetry()</c>'s, placed inside <c>UsePromptOps()</c>.
/// Usage is read from <see cref="ChatResponse.Usage"/> (streaming: the <see cref="UsageContent"/> updates). Cached
/// input tokens are part of the input tokens, as OpenAI reports them, and are priced at the cached rate; cache writes
/// (<see cref="ProviderUsage.CacheWriteInputTokens"/>) are part of them too, priced at the cache-write rate. A response —
/// or a finished or abandoned stream — without usage is estimated (input: <see cref="RequestTokens.Count"/>; output: the
/// model's token counter on the response text) and flagged <see cref="UsageAnomalies.Estimated"/>, never recorded as $0.
/// A model the catalogue does not know is unpriced (cost null, <c>promptops.requests.unpriced</c>, one warning per model).
/// </summary>
public sealed class UsageMeterChatClient : DelegatingChatClient
{
    /// <summary>
    /// The most tokens one call is taken to have used (100 million: far above any context window). A larger count, like
    /// a negative one, is a fault of the provider or of a stored response; the meter clamps it and flags the record
    /// (<see cref="UsageAnomalies.TokensClamped"/>) instead of throwing after the provider has answered.
    /// </summary>
    public const long MaxPlausibleTokens = 100_000_000;

    private readonly PriceCatalog _prices;
    private readonly IUsageSink[] _sinks;
    private readonly PromptOpsMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private int _clampLogged;
    private const int MaxWarnedModels = 1024;
    private readonly ConcurrentDictionary<string, byte> _unpricedWarned = new(StringComparer.Ordinal);

    /// <summary>Creates the meter.</summary>
    public UsageMeterChatClient(IChatClient innerClient, PriceCatalog? prices = null, IEnumerable<IUsageSink>? sinks = null,
        PromptOpsMetrics? metrics = null, TimeProvider? timeProvider = null, ILogger<UsageMeterChatClient>? logger = null)
        : base(innerClient)
    {
        _prices = prices ?? new PriceCatalog();
        _sinks = sinks?.ToArray() ?? [];
        _metrics = metrics ?? PromptOpsMetrics.Shared;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var started = _time.GetUtcNow();
        var t0 = _time.GetTimestamp();
        using var activity = PromptOpsActivity.Start(options.GetPromptOps());
        ChatResponse response;
        try
        {
            response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // A cut-off answer thrown by the truncation policy was answered (and billed): record its usage — once, though
            // the cache hands the same exception to concurrent identical callers.
            var cut = e is PromptTruncatedException t && t.ClaimUsage() ? t.Response : null;
            CompleteSafely(options, started, t0, modelId: cut?.ModelId, usage: cut?.Usage, CacheLayer.None, e, streaming: false, cancellationToken, e.GetCascadeAttempts(),
                e is PromptTruncatedException ? TruncationAction.Thrown : null, activity: activity);
            throw;
        }

        var usage = response.Usage;
        var estimated = false;
        if (usage is null)
        {
            usage = EstimateSafely(messages, options, response.ModelId ?? options?.ModelId, response.Text);
            estimated = usage is not null;
        }

        var layer = response.GetCacheLayer();
        var spent = CompleteSafely(options, started, t0, response.ModelId, usage, layer, error: null, streaming: false, cancellationToken,
            response.GetCascadeAttempts(), TruncationOf(response, layer), estimated, response.GetCacheTtlDecision(), activity, DowngradedFrom(response),
            batched: response.GetPromptOpsFeatures()?.ProviderBatched == true);
        if (spent is { } usd)
        {
            PromptOpsResponseFeatures.Of(response).CostUsd = usd;
        }

        return response;
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var started = _time.GetUtcNow();
        var t0 = _time.GetTimestamp();
        string? modelId = null;
        UsageDetails? usage = null;
        IReadOnlyList<CascadeAttempt>? attempts = null;
        var layer = CacheLayer.None;
        ChatFinishReason? finish = null;
        var first = true;
        var batched = false;
        var completed = false;
        Exception? error = null;
        StringBuilder? text = null;
        ChatResponseUpdate? last = null;
        using var activity = PromptOpsActivity.Start(options.GetPromptOps());

        await using var e = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                ChatResponseUpdate update;
                try
                {
                    if (!await MoveNextUnderAsync(e, activity).ConfigureAwait(false))
                    {
                        completed = true;
                        break;
                    }

                    update = e.Current;
                }
                catch (Exception ex)
                {
                    error = ex;
                    throw;
                }

                if (first)
                {
                    layer = update.GetCacheLayer();
                    first = false;
                }

                modelId ??= update.ModelId;
                last = update;
                finish = update.FinishReason ?? finish;
                attempts ??= update.GetCascadeAttempts();
                batched |= update.GetPromptOpsFeatures()?.ProviderBatched == true;
                ResponseCopier.AddUsage(ref usage, update);
                if (usage is null && update.Text is { Length: > 0 } t) (text ??= new StringBuilder()).Append(t);

                yield return update;
            }
        }
        finally
        {
            // A consumer that stops early is recorded as cancelled, with what had arrived.
            error ??= completed ? null : new OperationCanceledException("The stream was not read to its end.");
            var estimated = false;
            if (usage is null && !first)
            {
                // Updates arrived but no usage: the provider generated (and bills) tokens; estimate them.
                usage = EstimateSafely(messages, options, modelId ?? options?.ModelId, text?.ToString() ?? "");
                estimated = usage is not null;
            }

            var truncation = error is PromptTruncatedException ? TruncationAction.Thrown : finish == ChatFinishReason.Length ? TruncationAction.Returned : null;
            // The cache records the TTL it stored the stream with on the last update, once the stream has ended.
            CompleteSafely(options, started, t0, modelId, usage, layer, error, streaming: true, cancellationToken, attempts ?? error?.GetCascadeAttempts(), truncation, estimated,
                completed && last is not null ? last.GetCacheTtlDecision() : default, activity, batched: batched);
        }
    }

    /// <summary>
    /// <see cref="Complete"/> after the provider (or a cache) has answered: metering must never turn an answer into an
    /// exception, so a failure here is logged and the call goes on (unmetered).
    /// </summary>
    private decimal? CompleteSafely(ChatOptions? options, DateTimeOffset started, long t0, string? modelId, UsageDetails? usage, CacheLayer layer,
        Exception? error, bool streaming, CancellationToken cancellationToken, IReadOnlyList<CascadeAttempt>? attempts = null, string? truncation = null, bool estimated = false,
        (TimeSpan? Ttl, string? Reason) cacheTtl = default, Activity? activity = null, string? downgradedFrom = null, bool batched = false)
    {
        try
        {
            return Complete(options, started, t0, modelId, usage, layer, error, streaming, cancellationToken, attempts, truncation, estimated, cacheTtl, activity, downgradedFrom, batched);
        }
#pragma warning disable CA1031 // the answer is already there: a metering fault is logged, never thrown at the caller
        catch (Exception e) when (e is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            UsageLog.MeterFailed(_logger, modelId ?? options?.ModelId, e);
            return null;
        }
    }

    /// <summary>
    /// The usage of a response that reported none: input tokens counted on the request (<see cref="RequestTokens.Count"/>),
    /// output tokens with the model's token counter on the response text. Null when counting fails (logged).
    /// </summary>
    private UsageDetails? EstimateSafely(IEnumerable<ChatMessage> messages, ChatOptions? options, string? model, string responseText)
    {
        try
        {
            var input = RequestTokens.Count(messages, options, model);
            var output = responseText.Length == 0 ? 0 : TokenCounters.ForModel(model).CountTokens(responseText);
            return new UsageDetails { InputTokenCount = input, OutputTokenCount = output, TotalTokenCount = input + output };
        }
#pragma warning disable CA1031 // the answer is already there: a failed estimate leaves the call unmetered-by-estimate, never throws
        catch (Exception e) when (e is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            UsageLog.MeterFailed(_logger, model, e);
            return null;
        }
    }

    /// <summary>
    /// The token counts of <paramref name="usage"/> brought into range: negative → 0, above <see cref="MaxPlausibleTokens"/>
    /// → that, cached → at most the input. Logs the first clamp of this meter (then only flags the records).
    /// </summary>
    private (long Input, long Cached, long Output, bool Clamped, long CacheWrite, long Reasoning) Sanitize(UsageDetails? usage, string? model)
    {
        var clamped = false;
        var input = Clamp(usage?.InputTokenCount, ref clamped);
        var cached = Clamp(usage?.CachedInputTokenCount, ref clamped);
        var output = Clamp(usage?.OutputTokenCount, ref clamped);
        var write = Clamp(ProviderUsage.CacheWriteInputTokens(usage), ref clamped);
        var reasoning = Clamp(ProviderUsage.ReasoningTokens(usage), ref clamped);
        if (cached > input)
        {
            cached = input;
            clamped = true;
        }

        if (write > input - cached)
        {
            write = input - cached;
            clamped = true;
        }

        if (reasoning > output)
        {
            reasoning = output;
            clamped = true;
        }

        if (clamped && Interlocked.Exchange(ref _clampLogged, 1) == 0)
        {
            UsageLog.UsageClamped(_logger, model, usage?.InputTokenCount, usage?.CachedInputTokenCount, usage?.OutputTokenCount, input, cached, output);
        }

        return (input, cached, output, clamped, write, reasoning);

        static long Clamp(long? value, ref bool clamped)
        {
            var v = value ?? 0;
            if (v is >= 0 and <= MaxPlausibleTokens) return v;
            clamped = true;
            return v < 0 ? 0 : MaxPlausibleTokens;
        }
    }

    /// <summary>
    /// How a successful call's answer was cut off: <see cref="TruncationAction.Returned"/> when the answer is, else
    /// <see cref="TruncationAction.Retried"/> when it is the complete answer of a retry (a cache hit of one cost nothing
    /// and is not counted), else null.
    /// </summary>
    private static string? TruncationOf(ChatResponse response, CacheLayer layer)
    {
        if (layer == CacheLayer.None && response.GetPromptOpsFeatures()?.TruncationRetriedFrom is not null) return TruncationAction.Retried;
        return response.FinishReason == ChatFinishReason.Length ? TruncationAction.Returned : null;
    }

    private decimal? Complete(ChatOptions? options, DateTimeOffset started, long t0, string? modelId, UsageDetails? usage, CacheLayer layer,
        Exception? error, bool streaming, CancellationToken cancellationToken, IReadOnlyList<CascadeAttempt>? attempts = null, string? truncation = null, bool estimated = false,
        (TimeSpan? Ttl, string? Reason) cacheTtl = default, Activity? activity = null, string? downgradedFrom = null, bool batched = false)
    {
        var elapsed = _time.GetElapsedTime(t0);
        var meta = options.GetPromptOps();
        var model = modelId ?? options?.ModelId;
        var tier = meta?.EffectiveTier is { } t ? ModelTiers.GetName(t) : null;
        var outcome = error is null ? UsageOutcome.Success
            : error is PromptOpsLimitException ? UsageOutcome.Refused
            : error is OperationCanceledException || cancellationToken.IsCancellationRequested ? UsageOutcome.Cancelled
            : UsageOutcome.Failed;

        var (input, cached, output, clamped, write, reasoning) = Sanitize(usage, model);
        // Batch rate: the caller says it sent batch work itself (ProviderBatch), or the batching layer had the provider's batch
        // API answer this deferrable call. A deferrable call answered at once (no batching registered) pays the full price.
        var batch = meta?.ProviderBatch == true || batched;
        // A call that failed or was refused before any answer (no usage) cost nothing; anything answered is priced.
        var cost = outcome == UsageOutcome.Success || usage is not null
            ? _prices.Cost(model, input, cached, write, output, batch, Math.Min(Math.Max(0, ProviderUsage.CacheWriteOneHourInputTokens(usage) ?? 0), write)) // 1-hour cache writes at 2 × input
            : new CallCost(null, 0m);
        var isHit = layer != CacheLayer.None;
        if (truncation is not null) _metrics.TruncatedResponse(meta?.PromptId, model, truncation);
        var anomalies = (truncation is not null ? UsageAnomalies.Truncated : UsageAnomalies.None) | (estimated ? UsageAnomalies.Estimated : UsageAnomalies.None)
            | (truncation == TruncationAction.Retried ? UsageAnomalies.RetriedLonger : UsageAnomalies.None);
        if (attempts is { Count: > 0 })
        {
            // A cascade: every attempt is priced at its own model; cached attempts count as saved, not spent.
            return CompleteCascade(meta, tier, started, elapsed, model, attempts, layer, outcome, error, streaming, batch, anomalies | ReplyAnomalies(meta, attempts), cacheTtl,
                activity, downgradedFrom, truncation, estimated, meta?.ConversationId ?? options?.ConversationId);
        }

        RecordRequest(activity, meta, tier, model, layer, outcome, error, isHit ? 0m : cost.Usd, isHit ? cost.Usd : 0m, cost.IsPriced,
            estimated, escalations: 0, truncation, downgradedFrom);

        if (cost.Usd is { } usd)
        {
            RecordCost(usd, model, tier, meta?.PromptId, layer);
        }
        else if (!isHit)
        {
            Unpriced(model);
        }

        var spent = isHit ? 0m : cost.Usd;
        if (_sinks.Length == 0) return spent;
        var record = new UsageRecord
        {
            Timestamp = started,
            PromptId = meta?.PromptId,
            PromptVersion = meta?.PromptVersion,
            Task = meta?.Task,
            Endpoint = meta?.Endpoint ?? AmbientRoute() ?? meta?.PromptId,
            UserId = PromptOpsContext.UserIdOf(meta),
            TenantId = PromptOpsContext.TenantIdOf(meta),
            ConversationId = meta?.ConversationId ?? options?.ConversationId,
            ModelId = model,
            Tier = tier,
            InputTokens = input,
            CachedInputTokens = cached,
            OutputTokens = output,
            CacheWriteInputTokens = write,
            ReasoningTokens = reasoning,
            CostUsd = spent,
            CostSavedUsd = isHit ? cost.Usd : 0m,
            CacheLayer = layer,
            Latency = elapsed,
            Outcome = outcome,
            ErrorType = error?.GetType().FullName,
            LimitName = (error as PromptOpsLimitException)?.LimitName,
            Streaming = streaming,
            IsPriced = cost.IsPriced,
            Anomalies = anomalies | (clamped ? UsageAnomalies.TokensClamped : UsageAnomalies.None),
            CacheTtl = cacheTtl.Ttl,
            CacheTtlReason = cacheTtl.Reason,
        };

        Publish(record);
        return spent;
    }

    /// <summary>
    /// <see cref="UsageAnomalies.ReplyInvalid"/> when a request that validates its reply (<see cref="PromptOpsMetadata.ReplyValidator"/>)
    /// has an attempt whose reply did not validate (<see cref="Routing.EscalationChatClient"/>).
    /// </summary>
    private static UsageAnomalies ReplyAnomalies(PromptOpsMetadata? meta, IReadOnlyList<CascadeAttempt> attempts)
    {
        if (meta?.ReplyValidator is null) return UsageAnomalies.None;
        foreach (var a in attempts)
        {
            if (!a.Passed) return UsageAnomalies.ReplyInvalid;
        }

        return UsageAnomalies.None;
    }

    /// <summary>The <c>http.route</c> tag of the current activity or its nearest parent that has one (ASP.NET Core instrumentation sets it).</summary>
    private static string? AmbientRoute()
    {
        var depth = 0;
        for (var a = Activity.Current; a is not null && depth < 16; a = a.Parent, depth++)
        {
            if (a.GetTagItem("http.route") is string { Length: > 0 } route) return route;
        }

        return null;
    }

    private decimal? CompleteCascade(PromptOpsMetadata? meta, string? tier, DateTimeOffset started, TimeSpan elapsed, string? model,
        IReadOnlyList<CascadeAttempt> attempts, CacheLayer layer, UsageOutcome outcome, Exception? error, bool streaming, bool batch, UsageAnomalies anomalies,
        (TimeSpan? Ttl, string? Reason) cacheTtl, Activity? activity, string? downgradedFrom, string? truncation, bool estimated, string? conversationId)
    {
        decimal spent = 0m, saved = 0m;
        var priced = true;
        var clamped = false;
        long input = 0, cached = 0, output = 0, write = 0, reasoning = 0;
        foreach (var a in attempts)
        {
            var hit = a.CacheLayer != CacheLayer.None;
            var (aInput, aCached, aOutput, aClamped, aWrite, aReasoning) = Sanitize(a.Usage, a.ModelId);
            clamped |= aClamped;
            var cost = _prices.Cost(a.ModelId, aInput, aCached, aWrite, aOutput, batch);
            if (!hit && a.Usage is not null)
            {
                input += aInput;
                cached += aCached;
                output += aOutput;
                write += aWrite;
                reasoning += aReasoning;
            }

            if (cost.Usd is not { } usd)
            {
                priced = false;
                if (!hit) Unpriced(a.ModelId);
                continue;
            }

            if (hit) saved += usd;
            else spent += usd;
            RecordCost(usd, a.ModelId, tier, meta?.PromptId, a.CacheLayer);
        }

        decimal? spentOrNull = priced ? spent : null;
        RecordRequest(activity, meta, tier, model ?? attempts[^1].ModelId, layer, outcome, error, spentOrNull, priced ? saved : null, priced, estimated,
            escalations: Math.Max(0, attempts.Count - 1), truncation, downgradedFrom);
        if (_sinks.Length == 0) return spentOrNull;
        Publish(new UsageRecord
        {
            Timestamp = started,
            PromptId = meta?.PromptId,
            PromptVersion = meta?.PromptVersion,
            Task = meta?.Task,
            Endpoint = meta?.Endpoint ?? AmbientRoute() ?? meta?.PromptId,
            UserId = PromptOpsContext.UserIdOf(meta),
            TenantId = PromptOpsContext.TenantIdOf(meta),
            ConversationId = conversationId,
            ModelId = model ?? attempts[^1].ModelId,
            Tier = tier,
            InputTokens = input,
            CachedInputTokens = cached,
            OutputTokens = output,
            CacheWriteInputTokens = write,
            ReasoningTokens = reasoning,
            CostUsd = spentOrNull,
            CostSavedUsd = priced ? saved : null,
            CacheLayer = layer,
            Latency = elapsed,
            Outcome = outcome,
            ErrorType = error?.GetType().FullName,
            LimitName = (error as PromptOpsLimitException)?.LimitName,
            Streaming = streaming,
            IsPriced = priced,
            Anomalies = anomalies | (clamped ? UsageAnomalies.TokensClamped : UsageAnomalies.None),
            Attempts = attempts,
            Escalations = Math.Max(0, attempts.Count - 1),
            CacheTtl = cacheTtl.Ttl,
            CacheTtlReason = cacheTtl.Reason,
        });
        return spentOrNull;
    }

    /// <summary>A provider call to a model the catalogue does not price: the metric, and one warning per model.</summary>
    private void Unpriced(string? model)
    {
        _metrics.Unpriced.Add(1, new TagList { { "gen_ai.response.model", model } });
        var key = model ?? "";
        if (_unpricedWarned.Count < MaxWarnedModels && _unpricedWarned.TryAdd(key, 0)) UsageLog.ModelUnpriced(_logger, model ?? "(none)");
    }

    /// <summary>A call's cost: spent when the provider answered, saved (tagged with the layer) when a cache did.</summary>
    private void RecordCost(decimal usd, string? model, string? tier, string? promptId, CacheLayer layer)
    {
        var tags = new TagList { { "gen_ai.response.model", model }, { "promptops.tier", tier }, { "promptops.prompt_id", promptId } };
        if (layer == CacheLayer.None)
        {
            _metrics.CostSpent.Add((double)usd, tags);
            return;
        }

        tags.Add("promptops.cache.layer", layer.ToMetricName());
        _metrics.CostSaved.Add((double)usd, tags);
    }

    /// <summary>
    /// Reads the next update with the request's span as the current activity: an async iterator resumes on its caller's
    /// context, so without this the layers inside (the budget settling at the end of a stream) would not see the span.
    /// </summary>
    private static async ValueTask<bool> MoveNextUnderAsync(IAsyncEnumerator<ChatResponseUpdate> e, Activity? activity)
    {
        if (activity is null || ReferenceEquals(Activity.Current, activity)) return await e.MoveNextAsync().ConfigureAwait(false);
        var previous = Activity.Current;
        Activity.Current = activity;
        try
        {
            return await e.MoveNextAsync().ConfigureAwait(false);
        }
        finally
        {
            Activity.Current = previous;
        }
    }

    /// <summary>The tier a budget downgrade replaced on this response (<see cref="PromptOpsResponseFeatures.DowngradedFrom"/>), or null.</summary>
    private static string? DowngradedFrom(ChatResponse response) => response.GetPromptOpsFeatures()?.DowngradedFrom;

    /// <summary>
    /// The request as a whole: <c>promptops.chat.requests</c> and the <c>promptops.*</c> attributes of its span. Spent and
    /// saved are the figures the usage record gets (null: unpriced), so span, metrics and ledger agree.
    /// </summary>
    private void RecordRequest(Activity? activity, PromptOpsMetadata? meta, string? tier, string? model, CacheLayer layer, UsageOutcome outcome, Exception? error,
        decimal? spent, decimal? saved, bool priced, bool estimated, int escalations, string? truncation, string? downgradedFrom)
    {
        var outcomeName = outcome switch
        {
            UsageOutcome.Success => "success",
            UsageOutcome.Refused => "refused",
            UsageOutcome.Cancelled => "cancelled",
            _ => "failed",
        };
        var limit = (error as PromptOpsLimitException)?.LimitName;
        var budgetOutcome = limit?.StartsWith("budget.", StringComparison.Ordinal) == true ? "refused" : downgradedFrom is not null ? "downgraded" : null;
        var planOutcome = limit?.StartsWith("plan.", StringComparison.Ordinal) == true ? "refused" : null;
        var errorType = error is null || outcome == UsageOutcome.Refused ? null : error.GetType().FullName;
        if (_metrics.Requests.Enabled)
        {
            var tags = new TagList
            {
                { PromptOpsActivity.Outcome, outcomeName },
                { PromptOpsActivity.CacheLayerName, layer.ToMetricName() },
                { PromptOpsActivity.PromptId, meta?.PromptId },
                { PromptOpsActivity.Tier, tier },
            };
            if (limit is not null) tags.Add(PromptOpsActivity.Limit, limit);
            if (budgetOutcome is not null) tags.Add(PromptOpsActivity.BudgetOutcome, budgetOutcome);
            if (planOutcome is not null) tags.Add(PromptOpsActivity.PlanOutcome, planOutcome);
            if (errorType is not null) tags.Add("error.type", errorType);
            _metrics.Requests.Add(1, tags);
        }

        if (activity is not { IsAllDataRequested: true }) return;
        activity.SetTag(PromptOpsActivity.Outcome, outcomeName);
        activity.SetTag(PromptOpsActivity.CacheLayerName, layer.ToMetricName());
        if (model is not null) activity.SetTag("gen_ai.response.model", model);
        if (spent is { } spentUsd) activity.SetTag(PromptOpsActivity.CostUsd, (double)spentUsd);
        if (saved is { } savedUsd) activity.SetTag(PromptOpsActivity.CostSavedUsd, (double)savedUsd);
        activity.SetTag(PromptOpsActivity.CostPriced, priced);
        if (estimated) activity.SetTag(PromptOpsActivity.CostEstimated, true);
        if (escalations > 0) activity.SetTag(PromptOpsActivity.Escalations, escalations);
        if (truncation is not null) activity.SetTag(PromptOpsActivity.TruncationAction, truncation);
        if (limit is not null) activity.SetTag(PromptOpsActivity.Limit, limit);
        if (budgetOutcome is not null) activity.SetTag(PromptOpsActivity.BudgetOutcome, budgetOutcome);
        if (downgradedFrom is not null) activity.SetTag(PromptOpsActivity.BudgetDowngradedFrom, downgradedFrom);
        if (planOutcome is not null)
        {
            activity.SetTag(PromptOpsActivity.PlanOutcome, planOutcome);
            var plan = error switch { Plans.PlanLimitException p => p.PlanName, Plans.RateLimitExceededException r => r.PlanName, _ => null };
            if (plan is not null) activity.SetTag(PromptOpsActivity.PlanName, plan);
        }

        if (error is not null)
        {
            activity.SetTag("error.type", error.GetType().FullName);
            activity.SetStatus(ActivityStatusCode.Error, error.Message);
        }
    }

    private void Publish(UsageRecord record)
    {
        foreach (var sink in _sinks)
        {
            try
            {
                sink.Record(record);
            }
            catch (Exception ex)
            {
                UsageLog.SinkFailed(_logger, sink.GetType().Name, ex);
            }
        }
    }
}
