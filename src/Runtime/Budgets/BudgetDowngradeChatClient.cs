using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PromptOps.Knowledge;

namespace PromptOps.Budgets;

/// <summary>
/// The automatic downgrade (<see cref="CostBudgetOptions.DowngradeWhenCritical"/>): while the monthly pace of
/// <see cref="CostBudget"/> is <see cref="BudgetPaceStatus.Critical"/>, a request whose tier is above
/// <see cref="CostBudgetOptions.DowngradeTier"/> is sent with that tier instead (its metadata is replaced on a copy of
/// the options). It sits before tier routing, so the router picks the cheaper model and the cache keys on it; a
/// request with an explicit <see cref="ChatOptions.ModelId"/> is not changed (an explicit model always wins). A
/// downgraded response carries <see cref="DowngradedFromKey"/> = the original tier name.
/// </summary>
public sealed class BudgetDowngradeChatClient : DelegatingChatClient
{
    /// <summary>The <see cref="ChatResponse.AdditionalProperties"/> key set on a downgraded response (value: the tier asked for).</summary>
    public const string DowngradedFromKey = "promptops.budget.downgraded_from";

    private readonly CostBudget _budget;
    private readonly ModelTier _target;
    private readonly ILogger _logger;
    private int _logged;

    /// <summary>Creates the downgrade layer over <paramref name="budget"/> (which needs a monthly budget).</summary>
    public BudgetDowngradeChatClient(IChatClient innerClient, CostBudget budget, ILogger<BudgetDowngradeChatClient>? logger = null)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(budget);
        if (budget.Options.MonthlyBudgetUsd is null) throw new ArgumentException("The downgrade needs a monthly budget (PromptOps:Budget:MonthlyBudgetUsd).", nameof(budget));
        _budget = budget;
        _target = ModelTiers.Parse(budget.Options.DowngradeTier);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (routed, from) = await DowngradeAsync(options, cancellationToken).ConfigureAwait(false);
        var response = await base.GetResponseAsync(messages, routed, cancellationToken).ConfigureAwait(false);
        if (from is { } tier) (response.AdditionalProperties ??= [])[DowngradedFromKey] = ModelTiers.GetName(tier);
        return response;
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (routed, _) = await DowngradeAsync(options, cancellationToken).ConfigureAwait(false);
        await foreach (var update in base.GetStreamingResponseAsync(messages, routed, cancellationToken).ConfigureAwait(false)) yield return update;
    }

    private async ValueTask<(ChatOptions? Options, ModelTier? From)> DowngradeAsync(ChatOptions? options, CancellationToken cancellationToken)
    {
        if (options is null || options.ModelId is not null) return (options, null);
        if (options.GetPromptOps() is not { EffectiveTier: { } tier } meta || tier <= _target) return (options, null);
        var pace = await _budget.GetPaceAsync(cancellationToken).ConfigureAwait(false);
        if (pace is not { Status: BudgetPaceStatus.Critical })
        {
            Volatile.Write(ref _logged, 0);
            return (options, null);
        }

        if (Interlocked.Exchange(ref _logged, 1) == 0) BudgetLog.Downgrading(_logger, pace.PaceRatio, tier, _target);
        var copy = options.Clone();
        copy.WithPromptOps(meta with { Tier = _target });
        return (copy, tier);
    }
}
