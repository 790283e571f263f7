using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PromptOps.Caching;
using PromptOps.Knowledge;
using PromptOps.Tokens;

namespace PromptOps.Budgets;

/// <summary>
/// The budget breaker. Before each provider call it reserves the call's worst case — the counted input tokens
/// (<see cref="RequestTokens"/>) plus <c>MaxOutputTokens</c> (or <see cref="CostBudgetOptions.DefaultMaxOutputTokens"/>)
/// at the model's price — in every configured window, and refuses with a <see cref="BudgetExceededException"/> when it
/// does not fit. After the call it settles the real cost from <see cref="UsageDetails"/> (cached input at the cached
/// price); a call that fails or is cancelled releases its reservation (a stream that was cut off settles what its
/// usage updates reported). A call that completes without usage settles its worst case. Place it inside the response
/// cache (<c>UsePromptOps</c> does), so a cache hit reserves nothing.
/// <para>The model is <see cref="ChatOptions.ModelId"/>, else the inner client's default model
/// (<see cref="ChatClientMetadata.DefaultModelId"/>). A model without a price is refused unless
/// <see cref="CostBudgetOptions.AllowUnpricedModels"/>; a $0 model is exempt only with
/// <see cref="CostBudgetOptions.ExemptZeroPriceModels"/>.</para>
/// </summary>
public sealed class CostBudgetChatClient : DelegatingChatClient
{
    /// <summary>The <see cref="PromptOpsLimitException.LimitName"/> of a refusal for a model without a price.</summary>
    public const string UnpricedModelLimit = "budget.unpriced_model";

    private readonly CostBudget _budget;
    private readonly ILogger _logger;

    /// <summary>Creates the breaker over <paramref name="budget"/> (which may be shared by several clients).</summary>
    public CostBudgetChatClient(IChatClient innerClient, CostBudget budget, ILogger<CostBudgetChatClient>? logger = null)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(budget);
        _budget = budget;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>The budget this breaker enforces.</summary>
    public CostBudget Budget => _budget;

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages as IList<ChatMessage> ?? [.. messages];
        var (lease, price) = await ReserveAsync(list, options, cancellationToken).ConfigureAwait(false);
        if (lease is null) return await base.GetResponseAsync(list, options, cancellationToken).ConfigureAwait(false);

        ChatResponse response;
        try
        {
            response = await base.GetResponseAsync(list, options, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await SettleAsync(lease, 0m).ConfigureAwait(false);
            throw;
        }

        await SettleAsync(lease, response.Usage is { } usage ? CostBudget.CostOf(price!, usage) : lease.WorstCaseUsd).ConfigureAwait(false);
        return response;
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var list = messages as IList<ChatMessage> ?? [.. messages];
        var (lease, price) = await ReserveAsync(list, options, cancellationToken).ConfigureAwait(false);
        if (lease is null)
        {
            await foreach (var update in base.GetStreamingResponseAsync(list, options, cancellationToken).ConfigureAwait(false)) yield return update;
            yield break;
        }

        UsageDetails? usage = null;
        var completed = false;
        try
        {
            await foreach (var update in base.GetStreamingResponseAsync(list, options, cancellationToken).ConfigureAwait(false))
            {
                ResponseCopier.AddUsage(ref usage, update);

                yield return update;
            }

            completed = true;
        }
        finally
        {
            var actual = usage is not null ? CostBudget.CostOf(price!, usage) : completed ? lease.WorstCaseUsd : 0m;
            await SettleAsync(lease, actual).ConfigureAwait(false);
        }
    }

    private async ValueTask<(BudgetLease? Lease, ModelPriceInfo? Price)> ReserveAsync(IList<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        var model = options?.ModelId ?? (InnerClient.GetService(typeof(ChatClientMetadata)) as ChatClientMetadata)?.DefaultModelId;
        if (!_budget.Prices.TryGetPrice(model, out var price))
        {
            if (_budget.Options.AllowUnpricedModels) return (null, null);
            throw new PromptOpsLimitException(
                $"PromptOps budget: the model '{model ?? "(none)"}' has no price in the catalogue, so the call cannot be counted against the budget. Add its price (PromptOps:Pricing:Models) or set PromptOps:Budget:AllowUnpricedModels.",
                UnpricedModelLimit, 0m, 0m, "USD", null, options.GetPromptOpsUserId());
        }

        if (_budget.Options.ExemptZeroPriceModels && price is { InputPerMillion: 0, CachedInputPerMillion: 0, OutputPerMillion: 0 }) return (null, price);

        var input = RequestTokens.Count(messages, options, model);
        var maxOutput = options?.MaxOutputTokens is > 0 and var m ? m : _budget.Options.DefaultMaxOutputTokens;
        var worst = price.Cost(input, 0, maxOutput);
        return (await _budget.ReserveAsync(model, worst, cancellationToken).ConfigureAwait(false), price);
    }

    private async ValueTask SettleAsync(BudgetLease lease, decimal actualUsd)
    {
        try
        {
            await _budget.SettleAsync(lease, actualUsd, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // The lease expires on its own; the answer is not lost because of the bookkeeping.
            BudgetLog.SettleFailed(_logger, e);
        }
    }
}
