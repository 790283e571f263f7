using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading.RateLimiting;
using Microsoft.Extensions.AI;
using PromptOps.Budgets;
using PromptOps.Caching;
using PromptOps.Knowledge;
using PromptOps.Tokens;

namespace PromptOps.Plans;

/// <summary>
/// Plans and rate limits, per user (<see cref="PromptOpsMetadata.UserId"/>). Sits before routing and the cache and
/// refuses early, with a <see cref="PlanLimitException"/> or <see cref="RateLimitExceededException"/>, in this order:
/// <list type="number">
/// <item>the model: the one the request will use — an explicit <see cref="ChatOptions.ModelId"/>, else the model
/// routing will pick for the request's tier (the same table as <c>TierRoutingChatClient</c>), else the inner client's
/// default model. An explicit model outside the plan is refused; a tier whose model is outside the plan is lowered to
/// the highest tier below it whose model the plan includes (on a copy of the metadata), like the output clamp;</item>
/// <item>the input: counted tokens above <see cref="UserPlan.MaxInputTokens"/> are refused (waiting will not help);</item>
/// <item>the output: <c>MaxOutputTokens</c> — the task's limit when the metadata names a task and the request sets none —
/// is clamped to <see cref="UserPlan.MaxOutputTokens"/> (set to it when still unset);</item>
/// <item>requests per minute (a System.Threading.RateLimiting token bucket per user and plan, in this process:
/// a burst of up to the plan's rpm, then one request every minute / rpm; refusals carry the limiter's retry time);</item>
/// <item>daily requests and daily tokens, reserved in the <see cref="IBudgetStore"/> (Redis: shared by every
/// instance) with the request's worst case (input + max output, or + <see cref="UserPlanOptions.DefaultMaxOutputTokens"/>
/// when neither the plan nor the request limits the output) and settled with the billed tokens (0 for a cache
/// hit; a failed or refused call counts nothing).</item>
/// </list>
/// A request without a user id is passed through, or refused when <see cref="UserPlanOptions.RequireUserId"/>.
/// </summary>
public sealed class UserPlanChatClient : DelegatingChatClient
{
    private static readonly TimeSpan Grace = TimeSpan.FromHours(1);
    private readonly UserPlanOptions _options;
    private readonly IReadOnlyDictionary<string, UserPlan> _plans;
    private readonly IBudgetStore _store;
    private readonly IUserPlanResolver? _resolver;
    private readonly string[] _tierModels;
    private readonly TimeSpan _leaseDuration;
    private readonly TimeProvider _time;
    private readonly PartitionedRateLimiter<(string User, UserPlan Plan)> _rpm;

    /// <summary>Where this layer counts requests and tokens (shared with the pipeline's budget when nothing else is registered).</summary>
    internal IBudgetStore Store => _store;

    /// <summary>Creates the plans layer.</summary>
    /// <param name="innerClient">The next client (tier routing, in <c>UsePromptOps</c>).</param>
    /// <param name="options">Plans, user assignments, the rate-limit window; validated here.</param>
    /// <param name="store">Where daily requests and tokens are counted (shared by instances when it is Redis).</param>
    /// <param name="resolver">Finds a user's plan; null: <see cref="UserPlanOptions.Users"/> and <see cref="UserPlanOptions.DefaultPlan"/>.</param>
    /// <param name="tierModels">The model of each tier, indexed by <see cref="ModelTier"/> (routing's table); null: the default models.</param>
    /// <param name="leaseDuration">How long a daily reservation lives if it is never settled.</param>
    /// <param name="timeProvider">The clock of the daily windows (the per-minute limiter uses the system clock).</param>
    public UserPlanChatClient(IChatClient innerClient, UserPlanOptions options, IBudgetStore? store = null, IUserPlanResolver? resolver = null,
        IReadOnlyList<string>? tierModels = null, TimeSpan? leaseDuration = null, TimeProvider? timeProvider = null)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Clone();
        _plans = _options.ResolvePlans();
        _store = store ?? new InMemoryBudgetStore();
        _resolver = resolver;
        _tierModels = tierModels is null ? [.. ModelTiers.All.Select(ModelTiers.GetDefaultModel)] : [.. tierModels];
        if (_tierModels.Length != ModelTiers.All.Count) throw new ArgumentException($"One model per tier is needed ({ModelTiers.ValidNames}).", nameof(tierModels));
        _leaseDuration = leaseDuration ?? new BudgetStoreOptions().LeaseDuration;
        _time = timeProvider ?? TimeProvider.System;
        var window = _options.RateLimitWindow;
        _rpm = PartitionedRateLimiter.Create<(string User, UserPlan Plan), (string, string)>(key =>
            key.Plan.RequestsPerMinute is { } rpm
                ? RateLimitPartition.GetTokenBucketLimiter((key.User, key.Plan.Name), _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = rpm,
                    TokensPerPeriod = 1,
                    ReplenishmentPeriod = window / rpm,
                    QueueLimit = 0,
                    AutoReplenishment = false,
                })
                : RateLimitPartition.GetNoLimiter((key.User, key.Plan.Name)));
    }

    /// <summary>Every plan by name (built-ins with the configured changes).</summary>
    public IReadOnlyDictionary<string, UserPlan> Plans => _plans;

    /// <summary>The plan of <paramref name="userId"/>.</summary>
    public async ValueTask<UserPlan> GetPlanAsync(string userId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userId);
        var name = (_resolver is null ? null : await _resolver.GetPlanNameAsync(userId, cancellationToken).ConfigureAwait(false))
            ?? (_options.Users.TryGetValue(userId, out var assigned) ? assigned : _options.DefaultPlan);
        return _plans.TryGetValue(name, out var plan)
            ? plan
            : throw new InvalidOperationException($"PromptOps plans: user '{userId}' has the plan '{name}', which is not defined. Plans: {string.Join(", ", _plans.Keys)}.");
    }

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages as IList<ChatMessage> ?? [.. messages];
        PromptCacheKey.ThrowIfMalformed(list);
        var admitted = await AdmitAsync(list, options, cancellationToken).ConfigureAwait(false);
        if (admitted.Lease is null) return await base.GetResponseAsync(list, admitted.Options, cancellationToken).ConfigureAwait(false);

        ChatResponse response;
        try
        {
            response = await base.GetResponseAsync(list, admitted.Options, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await SettleAsync(admitted, success: false, hit: false, usage: null).ConfigureAwait(false);
            throw;
        }

        await SettleAsync(admitted, success: true, response.GetCacheLayer() != CacheLayer.None, response.Usage).ConfigureAwait(false);
        return response;
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var list = messages as IList<ChatMessage> ?? [.. messages];
        PromptCacheKey.ThrowIfMalformed(list);
        var admitted = await AdmitAsync(list, options, cancellationToken).ConfigureAwait(false);
        if (admitted.Lease is null)
        {
            await foreach (var update in base.GetStreamingResponseAsync(list, admitted.Options, cancellationToken).ConfigureAwait(false)) yield return update;
            yield break;
        }

        UsageDetails? usage = null;
        var hit = false;
        var first = true;
        var completed = false;
        try
        {
            await foreach (var update in base.GetStreamingResponseAsync(list, admitted.Options, cancellationToken).ConfigureAwait(false))
            {
                if (first)
                {
                    hit = update.GetCacheLayer() != CacheLayer.None;
                    first = false;
                }

                ResponseCopier.AddUsage(ref usage, update);

                yield return update;
            }

            completed = true;
        }
        finally
        {
            await SettleAsync(admitted, completed, hit, usage).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) _rpm.Dispose();
        base.Dispose(disposing);
    }

    private async ValueTask<Admission> AdmitAsync(IList<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        var meta = options.GetPromptOps();
        if (PromptOpsContext.UserIdOf(meta) is not { Length: > 0 } user)
        {
            if (_options.RequireUserId)
            {
                throw new PlanLimitException("PromptOps plan: the request has no user id (PromptOpsMetadata.UserId or PromptOpsContext.BeginUser) and PromptOps:Plans:RequireUserId is set.",
                    PlanLimitException.UserRequired, 0m, 0m, "requests", null, null, null);
            }

            return new Admission(options, null, [], 0);
        }

        var plan = await GetPlanAsync(user, cancellationToken).ConfigureAwait(false);
        // The task's output limit before the plan's clamp (a copy when applied): a raw call naming a task is judged by what it will send.
        var routed = options.WithTaskDefaults() ?? new ChatOptions(); // an ambient user may call without options
        var changed = options is not null && !ReferenceEquals(routed, options);

        // 1. The model the request will actually use.
        string? model;
        if (routed.ModelId is { } explicitModel)
        {
            model = explicitModel;
            if (!plan.Allows(model)) throw NotAllowed(user, plan, model);
        }
        else if (meta?.EffectiveTier is { } tier)
        {
            var allowed = (int)tier;
            while (allowed >= 0 && !plan.Allows(_tierModels[allowed])) allowed--;
            if (allowed < 0) throw NotAllowed(user, plan, _tierModels[(int)tier]);
            model = _tierModels[allowed];
            if (allowed != (int)tier)
            {
                routed = routed.Clone();
                routed.WithPromptOps(meta with { Tier = (ModelTier)allowed });
                changed = true;
            }
        }
        else
        {
            model = (InnerClient.GetService(typeof(ChatClientMetadata)) as ChatClientMetadata)?.DefaultModelId;
            if (!plan.Allows(model)) throw NotAllowed(user, plan, model);
        }

        // 2. Input size. While the model's tokenizer loads (a process's first calls), the request's UTF-8 byte count, an upper
        // bound, decides what it can without waiting: a bound within a limit admits; nothing is refused on the bound alone.
        var counted = routed;
        var input = RequestTokens.CountOrBound(messages, counted, model, TokenizerLoaded, out var exact);
        var exactInput = exact ? null : RequestTokens.Later(CountExactly, messages, counted, model);
        if (plan.MaxInputTokens is { } maxInput)
        {
            if (input > maxInput && exactInput is not null)
            {
                input = exactInput.Value;
                exact = true;
            }

            if (input > maxInput)
            {
                throw new PlanLimitException(
                    $"PromptOps plan: the input has {input} tokens; plan {plan.Name} of user '{user}' allows {maxInput}. Shorten it; retrying will not help.",
                    PlanLimitException.MaxInputTokens, input, maxInput, "tokens", null, user, plan.Name, model);
            }
        }

        // 3. Output clamp.
        var maxOutput = routed.MaxOutputTokens;
        if (plan.MaxOutputTokens is { } planMax && (maxOutput is null || maxOutput > planMax))
        {
            if (!changed) routed = routed.Clone();
            routed.MaxOutputTokens = planMax;
            maxOutput = planMax;
            changed = true;
        }

        if (plan.MaxOutputTokens is { } cap)
        {
            // A truncation retry (inside this layer) must not ask for more than the plan allows either.
            if (!changed) routed = routed.Clone();
            routed.WithPromptOps((routed.GetPromptOps() ?? new PromptOpsMetadata()) with { OutputTokenCap = cap });
            changed = true;
        }

        // 4. Requests per minute (this process).
        using (var permit = _rpm.AttemptAcquire((user, plan)))
        {
            if (!permit.IsAcquired)
            {
                TimeSpan? retryAfter = permit.TryGetMetadata(MetadataName.RetryAfter, out var ra) ? ra : null;
                throw new RateLimitExceededException(user, plan.Name, plan.RequestsPerMinute ?? 0, _options.RateLimitWindow, retryAfter);
            }
        }

        // 5. Daily requests and tokens (the store: every instance).
        var now = _time.GetUtcNow();
        var day = now.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var dayEnd = new DateTimeOffset(now.UtcDateTime.Date.AddDays(1), TimeSpan.Zero);
        var charges = new List<BudgetCharge>(2);
        // With no output limit anywhere, reserve a default output size: reserving the input alone let answers of any
        // length through a daily token limit.
        var outputTokens = (long)(maxOutput is > 0 and var limit ? limit : _options.DefaultMaxOutputTokens);
        var worstTokens = input + outputTokens;
        if (plan.DailyRequests is { } dailyRequests) charges.Add(new BudgetCharge(DailyKey(user, day, "requests"), 1, dailyRequests, dayEnd + _leaseDuration + Grace));
        var tokensCharge = -1;
        if (plan.DailyTokens is { } dailyTokens)
        {
            tokensCharge = charges.Count;
            charges.Add(new BudgetCharge(DailyKey(user, day, "tokens"), worstTokens, dailyTokens, dayEnd + _leaseDuration + Grace));
        }

        if (charges.Count == 0) return new Admission(routed, null, [], worstTokens, WorstOnExactInput(exactInput, outputTokens, worstTokens));

        BudgetReservation? tried = null;
        try
        {
            tried = await _store.TryReserveAsync(charges, now, now + _leaseDuration, cancellationToken).ConfigureAwait(false);
        }
        catch (BudgetStoreUnavailableException e) when (!exact && e.ByAmount && tokensCharge >= 0)
        {
            // While the shared store is down the escrow refuses by amount too: the exact count may fit.
        }

        var reservation = tried!;
        if (!exact && tokensCharge >= 0 && (tried is null || (tried.LeaseId is null && tried.RefusedIndex == tokensCharge)))
        {
            // The bound did not fit the daily tokens (or the escrow's slices): count exactly and try again, so that a refusal
            // is the exact one.
            worstTokens = exactInput!.Value + outputTokens;
            charges[tokensCharge] = charges[tokensCharge] with { Amount = worstTokens };
            reservation = await _store.TryReserveAsync(charges, now, now + _leaseDuration, cancellationToken).ConfigureAwait(false);
        }

        if (reservation.LeaseId is not { } leaseId)
        {
            var refused = charges[reservation.RefusedIndex];
            var isRequests = refused.Key.EndsWith(":requests", StringComparison.Ordinal);
            var current = reservation.Totals[reservation.RefusedIndex];
            var retryAfter = dayEnd - now;
            throw new PlanLimitException(
                isRequests
                    ? $"PromptOps plan: user '{user}' has made {current} of the {refused.Limit} requests plan {plan.Name} allows per day. Retry after {retryAfter:g}."
                    : $"PromptOps plan: user '{user}' has used or reserved {current} of the {refused.Limit} tokens plan {plan.Name} allows per day, and this request may use {refused.Amount}. Retry after {retryAfter:g}.",
                isRequests ? PlanLimitException.DailyRequests : PlanLimitException.DailyTokens,
                current, refused.Limit, isRequests ? "requests" : "tokens", retryAfter, user, plan.Name, model);
        }

        return new Admission(routed, leaseId, [.. charges], worstTokens, WorstOnExactInput(exactInput, outputTokens, worstTokens));
    }

    private async ValueTask SettleAsync(Admission admitted, bool success, bool hit, UsageDetails? usage)
    {
        var actual = new long[admitted.Charges.Length];
        if (success)
        {
            var tokens = hit ? 0 : usage is null ? admitted.Worst : Math.Max(0, usage.InputTokenCount ?? 0) + Math.Max(0, usage.OutputTokenCount ?? 0);
            for (var i = 0; i < actual.Length; i++) actual[i] = admitted.Charges[i].Key.EndsWith(":requests", StringComparison.Ordinal) ? 1 : tokens;
        }

        try
        {
            await _store.SettleAsync(admitted.Lease!, admitted.Charges, actual, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The lease expires on its own; a bookkeeping failure does not fail an answered call.
        }
    }

    private static string DailyKey(string user, string day, string what) => "{plan:" + user + "}:d:" + day + ":" + what;

    private static PlanLimitException NotAllowed(string user, UserPlan plan, string? model) =>
        new($"PromptOps plan: plan {plan.Name} of user '{user}' does not include the model '{model ?? "(unknown: no ModelId, no tier, no default model)"}'. It includes: {string.Join(", ", plan.AllowedModels ?? ["all"])}.",
            PlanLimitException.Models, 0m, 0m, "models", null, user, plan.Name, model);

    /// <summary>Whether an encoding's exact tokenizer is loaded; until it is, the byte bound decides what it can (tests replace it).</summary>
    internal Func<string, bool> TokenizerLoaded { get; init; } = TiktokenTokenCounter.IsCreated;

    /// <summary>The exact count of a request's input tokens (<see cref="RequestTokens.Count"/>; tests observe it).</summary>
    internal Func<IEnumerable<ChatMessage>, ChatOptions?, string?, int> CountExactly { get; init; } = RequestTokens.Count;

    /// <summary>
    /// A call admitted on the byte bound whose input was never counted exactly: its worst case in tokens on the exact
    /// input, counted when a settle without usage first needs it — or what was reserved if the tokenizer cannot count it
    /// (its data failed to load), so that a settle is never lost. Null when the reserved worst case is already exact.
    /// </summary>
    private static Lazy<long>? WorstOnExactInput(Lazy<int>? exactInput, long outputTokens, long reserved) =>
        exactInput is null || exactInput.IsValueCreated ? null : ExactOrReserved(exactInput, outputTokens, reserved);

    // Its own method: a lambda in WorstOnExactInput would allocate its closure on every admitted request, bound or not.
    private static Lazy<long> ExactOrReserved(Lazy<int> exactInput, long outputTokens, long reserved) => new(() =>
    {
        try
        {
            return exactInput.Value + outputTokens;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return reserved;
        }
    });

    /// <summary>
    /// An admitted call: the options it runs with, its lease and charges, the worst case in tokens it reserved, and —
    /// where that was on the byte bound — the worst case on the exact input (<see cref="WorstOnExactInput"/>).
    /// </summary>
    private sealed record Admission(ChatOptions? Options, string? Lease, BudgetCharge[] Charges, long WorstTokens, Lazy<long>? ExactWorst = null)
    {
        /// <summary>The worst case a settle without usage charges.</summary>
        public long Worst => ExactWorst?.Value ?? WorstTokens;
    }
}
