using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PromptOps.Caching;
using PromptOps.Knowledge;
using PromptOps.Usage;

namespace PromptOps.Routing;

/// <summary>
/// Validate, then escalate: a request whose metadata carries a <see cref="PromptOpsMetadata.ReplyValidator"/> (generated
/// methods with an enum, bool, number or JSON result set one that parses the reply as the method does) is checked after
/// the provider answers; a reply that does not validate is asked again one tier up (<see cref="PromptOpsMetadata.Tier"/>,
/// which the tier router turns into the tier's model), once per tier up to <see cref="EscalationOptions.MaxTier"/>. The
/// first tier that passes is remembered per prompt id and version for <see cref="EscalationOptions.RememberFor"/>, so the
/// next calls start there. The generated code knows how to parse; this layer knows the tiers.
/// <para>
/// When a reply failed validation, the response carries every attempt (<see cref="CascadeExtensions.GetCascadeAttempts(ChatResponse)"/>,
/// with <see cref="ChatResponse.Usage"/> summed over the paid ones), so the usage meter prices each at its own model and
/// records the escalations (<see cref="UsageRecord.Escalations"/>) and <see cref="UsageAnomalies.ReplyInvalid"/>. The
/// last reply is returned even when it does not validate either: the generated code then throws
/// <see cref="PromptReplyException"/> with it. Requests without a validator, with an explicit
/// <see cref="ChatOptions.ModelId"/> or with a cascade of their own, and streaming requests, pass through unchanged; a
/// reply the budget downgrade layer sent to a cheaper tier is not escalated (the budget would downgrade the next tier too).
/// </para>
/// </summary>
public sealed class EscalationChatClient : DelegatingChatClient
{
    private readonly ModelTier _maxTier;
    private readonly EscalationMemory _memory;
    private readonly PromptOpsMetrics _metrics;
    private readonly ILogger _logger;

    /// <summary>Creates the layer; invalid options throw an <see cref="ArgumentException"/> naming the bad value.</summary>
    /// <param name="innerClient">The next client (called once per tier tried).</param>
    /// <param name="options">Top tier and memory.</param>
    /// <param name="timeProvider">The clock of the memory (the system clock when null).</param>
    /// <param name="metrics">Where escalations and invalid replies are counted (the shared instance when null).</param>
    /// <param name="logger">Logs escalations (debug).</param>
    public EscalationChatClient(IChatClient innerClient, EscalationOptions? options = null, TimeProvider? timeProvider = null,
        PromptOpsMetrics? metrics = null, ILogger<EscalationChatClient>? logger = null)
        : base(innerClient)
    {
        options = (options ?? new EscalationOptions()).Clone();
        var errors = options.GetErrors().ToList();
        if (errors.Count > 0) throw new ArgumentException(string.Join(Environment.NewLine, errors), nameof(options));
        _maxTier = ModelTiers.Parse(options.MaxTier);
        _memory = new EscalationMemory(options.RememberFor, options.MaxRemembered, timeProvider ?? TimeProvider.System);
        _metrics = metrics ?? PromptOpsMetrics.Shared;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>The number of prompt versions whose starting tier is remembered now.</summary>
    public int RememberedCount => _memory.Count;

    /// <summary>The tier the next call of <paramref name="promptId"/> at <paramref name="promptVersion"/> starts at, when one is remembered.</summary>
    public ModelTier? GetRememberedTier(string promptId, string? promptVersion) =>
        _memory.Get(EscalationMemory.Key(new PromptOpsMetadata { PromptId = promptId, PromptVersion = promptVersion })!);

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var meta = options.GetPromptOps();
        if (meta?.ReplyValidator is not { } validate || options!.ModelId is not null || meta.CascadeEvaluator is not null)
        {
            return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }

        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        var requestTier = meta.EffectiveTier ?? PromptTasks.DefaultTier;
        var key = EscalationMemory.Key(meta);
        var tier = key is not null && _memory.Get(key) is { } remembered && remembered > requestTier ? remembered : requestTier;
        var top = tier > _maxTier ? tier : _maxTier;
        var attempts = new List<CascadeAttempt>(2);
        int? firstRetriedFrom = null;
        ChatResponse response;
        while (true)
        {
            var attemptOptions = tier == requestTier ? options : WithTier(options, meta, tier);
            try
            {
                response = await base.GetResponseAsync(list, attemptOptions, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (attempts.Count > 0)
            {
                // The earlier tiers were paid for: let the meter see them.
                PromptOpsResponseFeatures.SetAttempts(e, attempts.ToArray());
                throw;
            }

            if (response.GetCascadeAttempts() is not null) return response; // a cascade below judged it already
            firstRetriedFrom ??= response.GetPromptOpsFeatures()?.TruncationRetriedFrom;

            var reason = validate(response);
            var model = response.ModelId ?? attemptOptions.ModelId ?? ModelTiers.GetName(tier);
            // A critical budget sent the request to a cheaper tier than asked: a higher tier would be downgraded the same way.
            var downgraded = response.GetPromptOpsFeatures()?.DowngradedFrom is not null;
            attempts.Add(new CascadeAttempt(attempts.Count, model, tier, response.Usage, response.GetCacheLayer(), reason is null, reason));
            if (reason is null)
            {
                if (key is not null && tier != requestTier && !downgraded) _memory.Remember(key, tier);
                break;
            }

            _metrics.InvalidReply(meta.PromptId, model, ModelTiers.GetName(tier));
            if (tier >= top || downgraded) break;
            var next = tier + 1;
            string from = ModelTiers.GetName(tier), to = ModelTiers.GetName(next);
            _metrics.Escalation(meta.PromptId, from, to, EscalationReasons.ReplyInvalid);
            EscalationLog.Escalating(_logger, meta.PromptId ?? "(no prompt id)", from, to, reason);
            tier = next;
        }

        if (attempts.Count == 1 && attempts[0].Passed) return response; // the usual case: recorded as a plain call

        // An earlier tier's answer was cut off and asked again with a larger limit: the meter counts that provider call too.
        var features = PromptOpsResponseFeatures.Of(response);
        features.TruncationRetriedFrom ??= firstRetriedFrom;
        var snapshot = attempts.ToArray();
        if (snapshot.Length > 1) response.Usage = SumPaidUsage(snapshot);
        features.Attempts = snapshot;
        return response;
    }

    private static ChatOptions WithTier(ChatOptions options, PromptOpsMetadata meta, ModelTier tier)
    {
        var copy = options.Clone();
        copy.AdditionalProperties = options.AdditionalProperties?.Clone();
        return copy.WithPromptOps(meta with { Tier = tier });
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
