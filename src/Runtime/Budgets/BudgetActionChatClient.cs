using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PromptOps.Knowledge;

namespace PromptOps.Budgets;

/// <summary>
/// Applies the budget's pace actions (<see cref="BudgetActionOptions"/>) to each request while they hold — from the
/// first time the monthly pace crosses the rule's trigger until the month ends:
/// <list type="bullet">
/// <item><see cref="BudgetActionKind.DowngradeTier"/>: a request whose tier is above <see cref="CostBudgetOptions.DowngradeTier"/>
/// is sent with that tier (its metadata is replaced on a copy of the options); a request with an explicit
/// <see cref="ChatOptions.ModelId"/> is not changed (an explicit model always wins). A downgraded response carries
/// <see cref="PromptOpsResponseFeatures.DowngradedFrom"/> = the original tier name.</item>
/// <item><see cref="BudgetActionKind.PauseNonEssential"/>: a request of a non-essential feature is refused with a
/// <see cref="FeaturePausedException"/> before it costs anything.</item>
/// <item><see cref="BudgetActionKind.WidenSemanticCache"/>: a request whose prompt sets no semantic threshold is looked up
/// with <see cref="BudgetActionOptions.SemanticThreshold"/>.</item>
/// </list>
/// It sits before tier routing and the cache, so the router picks the cheaper model and the cache keys on it.
/// (<see cref="BudgetActionKind.LowerUserLimits"/> and <see cref="BudgetActionKind.StopUser"/> are applied by the
/// <see cref="CostBudget"/> itself.)
/// </summary>
[Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
public sealed class BudgetActionChatClient : DelegatingChatClient
{
    private readonly CostBudget _budget;
    private readonly ModelTier _target;
    private readonly ILogger _logger;
    private int _logged;

    /// <summary>Creates the layer over <paramref name="budget"/> (which needs a monthly budget: the pace is measured against it).</summary>
    public BudgetActionChatClient(IChatClient innerClient, CostBudget budget, ILogger<BudgetActionChatClient>? logger = null)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(budget);
        if (budget.Options.MonthlyBudgetUsd is null) throw new ArgumentException("Budget actions need a monthly budget (PromptOps:Budget:MonthlyBudgetUsd): the pace is measured against it.", nameof(budget));
        _budget = budget;
        _target = ModelTiers.Parse(budget.Options.DowngradeTier);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>The budget whose pace this layer acts on (shared with the pipeline's budget breaker).</summary>
    internal CostBudget Budget => _budget;

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (routed, from) = await ApplyAsync(options, cancellationToken).ConfigureAwait(false);
        var response = await base.GetResponseAsync(messages, routed, cancellationToken).ConfigureAwait(false);
        if (from is { } tier) PromptOpsResponseFeatures.Of(response).DowngradedFrom = ModelTiers.GetName(tier);
        return response;
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (routed, _) = await ApplyAsync(options, cancellationToken).ConfigureAwait(false);
        await foreach (var update in base.GetStreamingResponseAsync(messages, routed, cancellationToken).ConfigureAwait(false)) yield return update;
    }

    private async ValueTask<(ChatOptions? Options, ModelTier? From)> ApplyAsync(ChatOptions? options, CancellationToken cancellationToken)
    {
        var active = await _budget.Actions.CurrentAsync(cancellationToken).ConfigureAwait(false);
        if (active.Mask == 0)
        {
            Volatile.Write(ref _logged, 0);
            return (options, null);
        }

        var meta = options?.GetPromptOps();
        if (active.Has(BudgetActionKind.PauseNonEssential) && _budget.Actions.IsNonEssential(meta, out var feature))
        {
            var now = _budget.Time.GetUtcNow();
            throw new FeaturePausedException(feature, active.Pace?.PaceRatio ?? 0, _budget.Actions.TriggerRatioOf(BudgetActionKind.PauseNonEssential), CostBudget.End(BudgetWindow.Month, now) - now, meta?.UserId);
        }

        ModelTier? from = null;
        var changed = meta;
        if (active.Has(BudgetActionKind.DowngradeTier) && options?.ModelId is null && meta is { EffectiveTier: { } tier } && tier > _target)
        {
            if (Interlocked.Exchange(ref _logged, 1) == 0) BudgetLog.Downgrading(_logger, active.Pace?.PaceRatio ?? 0, tier, _target);
            changed = changed! with { Tier = _target };
            from = tier;
        }

        if (_budget.Actions.SemanticThreshold(active) is { } threshold && meta?.SemanticThreshold is null && meta?.SemanticCache != false)
        {
            changed = (changed ?? new PromptOpsMetadata()) with { SemanticThreshold = threshold };
        }

        if (ReferenceEquals(changed, meta)) return (options, null);
        var copy = options?.Clone() ?? new ChatOptions();
        copy.WithPromptOps(changed!);
        return (copy, from);
    }
}
