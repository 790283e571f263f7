using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PromptOps.Caching;
using PromptOps.Knowledge;

namespace PromptOps.Routing;

/// <summary>
/// Tries the cheapest level first, judges its answer with an <see cref="ICascadeEvaluator"/> and escalates level by
/// level until one passes (or the last level answers). Applies to requests that carry an evaluator
/// (<see cref="CascadeExtensions.WithCascade"/>) or, when <see cref="CascadeOptions.DefaultEvaluator"/> is set, to
/// every request without an explicit <see cref="ChatOptions.ModelId"/>; other requests pass through unchanged.
/// <para>
/// The returned response is the answering level's, with <see cref="ChatResponse.Usage"/> summed over every attempt
/// the provider answered (cache hits excluded) and the attempts in <see cref="CascadeExtensions.GetCascadeAttempts(ChatResponse)"/>,
/// so the usage meter prices each attempt at its own model. Each level goes through the layers below (cache, budget,
/// fallback) as its own call. Streaming requests that cascade are answered whole, then replayed as updates: an answer
/// must be complete to be judged.
/// </para>
/// </summary>
public sealed class CascadeChatClient : DelegatingChatClient
{
    private readonly (string Model, ModelTier? Tier)[] _levels;
    private readonly CascadeOptions _options;
    private readonly ILogger _logger;

    /// <summary>Creates the cascade; invalid options throw an <see cref="ArgumentException"/> naming the bad value.</summary>
    /// <param name="innerClient">The next client (called once per level).</param>
    /// <param name="options">Levels and evaluator.</param>
    /// <param name="routing">Tier → model, for levels given by tier name (the defaults when null).</param>
    /// <param name="logger">Logs escalations (debug).</param>
    public CascadeChatClient(IChatClient innerClient, CascadeOptions? options = null, TierRoutingOptions? routing = null, ILogger<CascadeChatClient>? logger = null)
        : base(innerClient)
    {
        _options = (options ?? new CascadeOptions()).Clone();
        var errors = _options.GetErrors().ToList();
        if (errors.Count > 0) throw new ArgumentException(string.Join(Environment.NewLine, errors), nameof(options));
        var models = (routing ?? new TierRoutingOptions()).Resolve();
        _levels = [.. _options.EffectiveLevels.Select(l => ModelTiers.TryParse(l, out var t) ? (models[(int)t], (ModelTier?)t) : (l.Trim(), null))];
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>The model of each level, cheapest first.</summary>
    public IReadOnlyList<string> LevelModels => [.. _levels.Select(l => l.Model)];

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (GetEvaluator(options) is not { } evaluator) return await base.GetResponseAsync(messages, Strip(options), cancellationToken).ConfigureAwait(false);

        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        var attempts = new List<CascadeAttempt>(_levels.Length);
        ChatResponse? response = null;
        for (var level = FirstLevel(options); level < _levels.Length; level++)
        {
            var (model, tier) = _levels[level];
            var levelOptions = Strip(options)?.Clone() ?? new ChatOptions();
            levelOptions.ModelId = model;
            try
            {
                response = await base.GetResponseAsync(list, levelOptions, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (attempts.Count > 0)
            {
                // The earlier levels were paid for: let the meter see them.
                PromptOpsResponseFeatures.SetAttempts(e, attempts.ToArray());
                throw;
            }

            var last = level == _levels.Length - 1;
            var verdict = await evaluator.EvaluateAsync(response, new CascadeContext(list, levelOptions, level, last), cancellationToken).ConfigureAwait(false);
            attempts.Add(new CascadeAttempt(level, response.ModelId ?? model, tier, response.Usage, response.GetCacheLayer(), verdict.Passed, verdict.Reason));
            if (verdict.Passed) break;
            if (!last) CascadeLog.Escalating(_logger, level, model, verdict.Reason ?? "failed");
        }

        var result = response!;
        var snapshot = attempts.ToArray();
        if (!snapshot[^1].Passed && _options.ThrowWhenNoLevelPasses) throw new CascadeExhaustedException(snapshot);
        if (snapshot.Length > 1) result.Usage = SumPaidUsage(snapshot);
        PromptOpsResponseFeatures.Of(result).Attempts = snapshot;
        return result;
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (GetEvaluator(options) is null)
        {
            await foreach (var u in base.GetStreamingResponseAsync(messages, Strip(options), cancellationToken).ConfigureAwait(false)) yield return u;
            yield break;
        }

        var response = await GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        var updates = response.ToChatResponseUpdates();
        for (var i = 0; i < updates.Length; i++)
        {
            if (i == updates.Length - 1)
            {
                var features = PromptOpsResponseFeatures.Of(updates[i]);
                features.Attempts = response.GetCascadeAttempts();
                if (response.GetCacheLayer() is var layer and not CacheLayer.None) features.CacheLayer = layer;
            }

            yield return updates[i];
        }
    }

    private int FirstLevel(ChatOptions? options)
    {
        if (!_options.StartAtRequestTier || options.GetPromptOps()?.EffectiveTier is not { } tier) return 0;
        var index = Array.FindIndex(_levels, l => l.Tier == tier);
        return index < 0 ? 0 : index;
    }

    private ICascadeEvaluator? GetEvaluator(ChatOptions? options)
    {
        if (options?.ModelId is not null) return null; // an explicit model always wins
        return options.GetPromptOps()?.CascadeEvaluator ?? _options.DefaultEvaluator;
    }

    // The request's evaluator is for this layer only: the layers below never see it (a reply escalation inside a level
    // works as it would without a cascade).
    private static ChatOptions? Strip(ChatOptions? options)
    {
        if (options.GetPromptOps() is not { CascadeEvaluator: not null } meta) return options;
        var copy = options!.Clone();
        copy.AdditionalProperties = options.AdditionalProperties!.Clone();
        copy.AdditionalProperties[ChatOptionsPromptOpsExtensions.AdditionalPropertiesKey] = meta with { CascadeEvaluator = null }; // WithPromptOps would keep the evaluator
        return copy;
    }

    private static UsageDetails SumPaidUsage(CascadeAttempt[] attempts)
    {
        var sum = new UsageDetails();
        foreach (var a in attempts)
        {
            if (a.CacheLayer == CacheLayer.None && a.Usage is { } u) sum.Add(u);
        }

        return sum;
    }
}
