using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PromptOps.Budgets;
using PromptOps.Pricing;
using PromptOps.Usage;

namespace PromptOps;

/// <summary>
/// The options of one pipeline, resolved once: the registered <see cref="PromptOpsOptions"/> (or the defaults) copied,
/// adjusted by the <c>configure</c> callback, validated and checked against the registered packages. <c>UsePromptOps</c>
/// makes one per <c>Build</c> and hands it to its <c>Use…</c> layers through <see cref="PromptOpsBuildServices"/>; a
/// <c>Use…</c> call on its own makes one for itself (<see cref="Of"/>).
/// </summary>
internal sealed class PromptOpsOptionsSnapshot
{
    private readonly IServiceProvider _services;
    private readonly Lazy<IBudgetStore> _store;
    private readonly Lazy<CostBudget> _budget;

    private PromptOpsOptionsSnapshot(IServiceProvider services, PromptOpsOptions options, bool isRegistered)
    {
        _services = services;
        Options = options;
        IsRegistered = isRegistered;
        // The registered store, else one in-memory store that the plans and the budget of this pipeline share.
        _store = new(() => services.GetService<IBudgetStore>() ?? new InMemoryBudgetStore());
        _budget = new(() => (IsRegistered ? services.GetService<CostBudget>() : null) ?? CreateBudget(Options.Budget));
    }

    /// <summary>The resolved, validated options (a copy: changing it changes nothing registered).</summary>
    public PromptOpsOptions Options { get; }

    /// <summary>True when <see cref="Options"/> are the registered ones, unchanged (no <c>configure</c> callback).</summary>
    public bool IsRegistered { get; }

    /// <summary>The registered <see cref="IBudgetStore"/>; without one, a single in-memory store for this pipeline.</summary>
    public IBudgetStore Store => _store.Value;

    /// <summary>
    /// The budget every budget layer of this pipeline shares: the <see cref="CostBudget"/> that <c>AddPromptOps</c>
    /// registered when the options are the registered ones, else one made from <see cref="Options"/> on first use.
    /// </summary>
    public CostBudget Budget => _budget.Value;

    /// <summary>The snapshot <c>UsePromptOps</c> handed down through <paramref name="services"/>, else a new one of the registered options.</summary>
    public static PromptOpsOptionsSnapshot Of(IServiceProvider services) =>
        services.GetService<PromptOpsOptionsSnapshot>() ?? Resolve(services, null);

    /// <summary>
    /// Copies the registered options (or the defaults), runs <paramref name="configure"/> on the copy, validates it and checks
    /// that every package a setting needs is registered; throws <see cref="OptionsValidationException"/> naming a bad value.
    /// </summary>
    public static PromptOpsOptionsSnapshot Resolve(IServiceProvider services, Action<PromptOpsOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        var registered = services.GetService<IOptions<PromptOpsOptions>>()?.Value;
        var options = registered?.Clone() ?? new PromptOpsOptions();
        configure?.Invoke(options);
        options.Validate();
        PackageRegistrations.ThrowIfMissing(services, options);
        return new PromptOpsOptionsSnapshot(services, options, registered is not null && configure is null);
    }

    /// <summary>A budget of <paramref name="budget"/> over this pipeline's store (a layer whose own <c>configure</c> changed the limits).</summary>
    public CostBudget CreateBudget(CostBudgetOptions budget) =>
        CreateBudget(_services, budget, Options.BudgetStore.LeaseDuration, Store);

    /// <summary>
    /// Makes a <see cref="CostBudget"/> of <paramref name="budget"/> with the registered price catalogue, limit provider, alert
    /// sinks, clock, log and metrics; counts in the budget's escrow when PromptOps.Redis registered one, else in
    /// <paramref name="store"/>. Throws <see cref="OptionsValidationException"/> when no limit is set and no
    /// <see cref="IBudgetLimitProvider"/> is registered.
    /// </summary>
    public static CostBudget CreateBudget(IServiceProvider services, CostBudgetOptions budget, TimeSpan leaseDuration, IBudgetStore store)
    {
        var errors = budget.GetErrors().ToList();
        var provider = services.GetService<IBudgetLimitProvider>();
        if (!budget.IsConfigured && provider is null) errors.Add(CostBudget.NoLimitError);
        if (errors.Count > 0) throw new OptionsValidationException(PromptOpsOptions.SectionName, typeof(PromptOpsOptions), errors);
        return new CostBudget(budget, services.GetService<EscrowBudgetStore>() ?? store, services.GetService<PriceCatalog>() ?? new PriceCatalog(), leaseDuration,
            services.GetService<TimeProvider>(), provider, (services.GetService<IEnumerable<IBudgetAlertSink>>() ?? []).Where(s => s is not null),
            services.GetService<ILoggerFactory>()?.CreateLogger<CostBudget>(), GetMetrics(services));
    }

    /// <summary>The registered metrics; else ones of the registered <see cref="System.Diagnostics.Metrics.IMeterFactory"/>; else the process-wide ones.</summary>
    public static PromptOpsMetrics GetMetrics(IServiceProvider services) =>
        services.GetService<PromptOpsMetrics>() ?? (services.GetService<System.Diagnostics.Metrics.IMeterFactory>() is { } f ? new PromptOpsMetrics(f) : PromptOpsMetrics.Shared);
}
