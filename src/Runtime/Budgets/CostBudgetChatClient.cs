using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PromptOps.Caching;
using PromptOps.Knowledge;
using PromptOps.Tokens;
using PromptOps.Usage;

namespace PromptOps.Budgets;

/// <summary>
/// The budget breaker. Before each provider call it reserves the call's worst case — the counted input tokens
/// (<see cref="RequestTokens"/>) plus <c>MaxOutputTokens</c> (or <see cref="CostBudgetOptions.DefaultMaxOutputTokens"/>)
/// at the model's price — in every configured window of the application and of the request's tenant, user and prompt
/// (<see cref="PromptOpsMetadata"/>, else <see cref="PromptOpsContext"/>), and refuses with a <see cref="BudgetExceededException"/> when it
/// does not fit. After the call it settles what the call cost, and every call that reached the provider is paid for:
/// <list type="bullet">
/// <item>usage reported (<see cref="UsageDetails"/>, streamed or not): its cost, cached input at the cached price — in full
/// even above the reservation (a provider that ignored the limit), which is logged and counted
/// (<c>promptops.budget.over_reservation</c>);</item>
/// <item>no usage reported, or a stream the caller abandoned or cancelled, or that failed after it started answering: an
/// estimate — the counted input plus the output tokens of the text received (counted with the model's tokenizer);</item>
/// <item>cancelled (or timed out) before any answer came back: the reserved worst case (the provider may bill it);</item>
/// <item>the provider failed before answering (an exception other than cancellation): released (nothing billed).</item>
/// </list>
/// Each outcome is counted in <c>promptops.budget.settles</c>. Place it inside the response cache (<c>UsePromptOps</c>
/// does), so a cache hit reserves nothing.
/// <para>A process's first calls do not wait for the model's tokenizer while it loads (~0.3–0.7 s): they reserve on an upper
/// bound of the input (its UTF-8 byte count), which holds more than the call can cost, never less; a bound that does not
/// fit waits for the exact count instead of refusing, and settles count the input exactly.</para>
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
    private readonly PromptOpsMetrics _metrics;

    /// <summary>
    /// Creates the breaker over <paramref name="budget"/> (which may be shared by several clients), counting its settle
    /// outcomes in <paramref name="metrics"/> (null: the process-wide PromptOps metrics).
    /// </summary>
    public CostBudgetChatClient(IChatClient innerClient, CostBudget budget, ILogger<CostBudgetChatClient>? logger = null, PromptOpsMetrics? metrics = null)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(budget);
        _budget = budget;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _metrics = metrics ?? PromptOpsMetrics.Shared;
    }

    /// <summary>Whether an encoding's exact tokenizer is loaded; until it is, reservations are made on a bound (tests replace it).</summary>
    internal Func<string, bool> TokenizerLoaded { get; init; } = TiktokenTokenCounter.IsCreated;

    /// <summary>The exact count of a request's input tokens (<see cref="RequestTokens.Count"/>; tests observe it).</summary>
    internal Func<IEnumerable<ChatMessage>, ChatOptions?, string?, int> CountExactly { get; init; } = RequestTokens.Count;

    /// <summary>The budget this breaker enforces.</summary>
    public CostBudget Budget => _budget;

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages as IList<ChatMessage> ?? [.. messages];
        var call = await ReserveAsync(list, options, cancellationToken).ConfigureAwait(false);
        if (call is null) return await base.GetResponseAsync(list, options, cancellationToken).ConfigureAwait(false);

        ChatResponse response;
        try
        {
            response = await base.GetResponseAsync(list, options, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await SettleAsync(call, call.WorstCase(), BudgetSettleOutcome.WorstCase).ConfigureAwait(false);
            throw;
        }
        catch
        {
            await SettleAsync(call, 0m, BudgetSettleOutcome.Released).ConfigureAwait(false);
            throw;
        }

        if (response.Usage is { } usage) await SettleAsync(call, CostBudget.CostOf(call.Price, usage), BudgetSettleOutcome.Reported).ConfigureAwait(false);
        else await SettleAsync(call, call.Estimate(response.Text), BudgetSettleOutcome.Estimated).ConfigureAwait(false);
        return response;
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var list = messages as IList<ChatMessage> ?? [.. messages];
        var call = await ReserveAsync(list, options, cancellationToken).ConfigureAwait(false);
        if (call is null)
        {
            await foreach (var update in base.GetStreamingResponseAsync(list, options, cancellationToken).ConfigureAwait(false)) yield return update;
            yield break;
        }

        UsageDetails? usage = null;
        var text = new StringBuilder();
        var ended = StreamEnd.Abandoned; // until the inner stream says otherwise: the caller stopped reading
        var stream = base.GetStreamingResponseAsync(list, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                try
                {
                    if (!await stream.MoveNextAsync().ConfigureAwait(false))
                    {
                        ended = StreamEnd.Completed;
                        break;
                    }
                }
                catch (OperationCanceledException)
                {
                    ended = StreamEnd.Cancelled;
                    throw;
                }
                catch
                {
                    ended = StreamEnd.Failed;
                    throw;
                }

                var update = stream.Current;
                ResponseCopier.AddUsage(ref usage, update);
                if (update.Text is { Length: > 0 } chunk) text.Append(chunk);
                yield return update;
            }
        }
        finally
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            if (usage is not null) await SettleAsync(call, CostBudget.CostOf(call.Price, usage), BudgetSettleOutcome.Reported).ConfigureAwait(false);
            else if (text.Length > 0 || ended == StreamEnd.Completed) await SettleAsync(call, call.Estimate(text.ToString()), BudgetSettleOutcome.Estimated).ConfigureAwait(false);
            else if (ended == StreamEnd.Failed) await SettleAsync(call, 0m, BudgetSettleOutcome.Released).ConfigureAwait(false);
            else await SettleAsync(call, call.WorstCase(), BudgetSettleOutcome.WorstCase).ConfigureAwait(false);
        }
    }

    private async ValueTask<Reserved?> ReserveAsync(IList<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        var model = options?.ModelId ?? (InnerClient.GetService(typeof(ChatClientMetadata)) as ChatClientMetadata)?.DefaultModelId;
        if (!_budget.Prices.TryGetPrice(model, out var price))
        {
            if (_budget.Options.AllowUnpricedModels) return null;
            throw new PromptOpsLimitException(
                $"PromptOps budget: the model '{model ?? "(none)"}' has no price in the catalogue, so the call cannot be counted against the budget. Add its price (PromptOps:Pricing:Models) or set PromptOps:Budget:AllowUnpricedModels.",
                UnpricedModelLimit, 0m, 0m, "USD", null, options.GetPromptOpsUserId());
        }

        if (_budget.Options.ExemptZeroPriceModels && price is { InputPerMillion: 0, CachedInputPerMillion: 0, OutputPerMillion: 0 }) return null;

        var maxOutput = options?.MaxOutputTokens is > 0 and var m ? m : _budget.Options.DefaultMaxOutputTokens;
        var meta = options.GetPromptOps();
        var subject = new BudgetSubject(PromptOpsContext.TenantIdOf(meta), PromptOpsContext.UserIdOf(meta), meta?.PromptId ?? meta?.Endpoint);
        var hold = meta is { Deferrable: true } && DeferredCallWait() is { } wait ? Max(wait, _budget.LeaseDuration) : _budget.LeaseDuration;

        // While the model's tokenizer is still loading (a process's first calls), the input is bounded from above instead
        // of waiting for it: the reservation holds more, never less. A bound that does not fit is no refusal: the call then
        // waits for the exact count and reserves again. Settles count exactly (Reserved). Not for a deferrable call held
        // for its batch: it waits for the batch anyway, and a bound held for hours would crowd out calls that fit.
        var exact = true;
        var input = hold == _budget.LeaseDuration ? RequestTokens.CountOrBound(messages, options, model, TokenizerLoaded, out exact) : CountExactly(messages, options, model);
        if (!exact)
        {
            try
            {
                var early = await _budget.ReserveAsync(model, price.Cost(input, 0, maxOutput), subject, hold, alertIfRefused: false, cancellationToken).ConfigureAwait(false);
                return new Reserved(early, price, model, maxOutput, input, RequestTokens.Later(CountExactly, messages, options, model));
            }
            catch (Exception e) when (e is BudgetExceededException or BudgetStoreUnavailableException { ByAmount: true })
            {
                // Not a refusal yet: the exact count may fit (while the shared store is down, the escrow refuses by amount
                // too; a store that refuses everything is not asked twice).
            }

            input = CountExactly(messages, options, model);
        }

        var lease = await _budget.ReserveAsync(model, price.Cost(input, 0, maxOutput), subject, hold, alertIfRefused: true, cancellationToken).ConfigureAwait(false);
        return new Reserved(lease, price, model, maxOutput, input);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>
    /// The longest a deferrable call can wait for its provider batch when the batching layer is inside this one (its
    /// reservation must hold the money that long, or an expired lease would free it for others before the batch is paid
    /// for); null when no batching layer is below (the call is made at once).
    /// </summary>
#pragma warning disable PROMPTOPS001 // provider batching is experimental; the budget only asks whether it is in the pipeline
    private TimeSpan? DeferredCallWait() => (GetService(typeof(Routing.Batching.DeferrableChatClient)) as Routing.Batching.DeferrableChatClient)?.LongestWait;
#pragma warning restore PROMPTOPS001

    private async ValueTask SettleAsync(Reserved call, decimal actualUsd, BudgetSettleOutcome outcome)
    {
        _metrics.BudgetSettled(outcome);
        // Measured against the reservation, not recounted: a first call reserved on the byte bound must not wait for the
        // tokenizer here either (what such a call costs within its bound put no other call at risk).
        if (actualUsd > call.Lease.WorstCaseUsd)
        {
            // Charged in full: the money was spent. The reservation did not cover it, so others may have been admitted.
            _metrics.BudgetOverReservation(call.Model, actualUsd - call.Lease.WorstCaseUsd);
            BudgetLog.OverReservation(_logger, call.Model ?? "(none)", actualUsd, call.Lease.WorstCaseUsd);
        }

        try
        {
            await _budget.SettleAsync(call.Lease, actualUsd, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // The lease expires on its own; the answer is not lost because of the bookkeeping.
            BudgetLog.SettleFailed(_logger, e);
        }
    }

    /// <summary>How a stream ended.</summary>
    private enum StreamEnd
    {
        Abandoned,
        Completed,
        Cancelled,
        Failed,
    }

    /// <summary>
    /// A reservation and what its settle needs: the lease, the model's price, the model, the output limit reserved, the
    /// input counted for the reservation, and — where that was the byte bound — the exact count, made when a settle first
    /// needs it.
    /// </summary>
    private sealed record Reserved(BudgetLease Lease, ModelPriceInfo Price, string? Model, int MaxOutputTokens, int CountedInput, Lazy<int>? ExactInput = null)
    {
        private bool OnBound => ExactInput is not null;

        private int InputTokens => ExactInput?.Value ?? CountedInput;

        /// <summary>
        /// The counted input plus the output tokens of <paramref name="output"/>, at the model's price; the reserved worst
        /// case if the tokenizer cannot count them (a first call reserved on the bound, in an app whose tokenizer data
        /// failed to load): a settle is never lost, and the worst case is never below what such a call can cost.
        /// </summary>
        public decimal Estimate(string? output) => OrReserved(this, output, static (call, text) =>
            call.Price.Cost(call.InputTokens, 0, string.IsNullOrEmpty(text) ? 0 : TokenCounters.ForModel(call.Model).CountTokens(text)));

        /// <summary>The call's worst case on the exact input (the lease's own worst case when that was counted exactly; never more).</summary>
        public decimal WorstCase() => OnBound
            ? OrReserved(this, (string?)null, static (call, _) => Math.Min(call.Lease.WorstCaseUsd, call.Price.Cost(call.InputTokens, 0, call.MaxOutputTokens)))
            : Lease.WorstCaseUsd;

        private static decimal OrReserved(Reserved call, string? text, Func<Reserved, string?, decimal> exact)
        {
            try
            {
                return exact(call, text);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                return call.Lease.WorstCaseUsd;
            }
        }
    }
}
