using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PromptOps.Pricing;
using PromptOps.Routing.Batching;
using PromptOps.Usage;

namespace PromptOps;

/// <summary>Registers provider batching (<see cref="ProviderBatchScheduler"/>) and adds its layer to a pipeline.</summary>
[Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
public static class PromptOpsBatchingExtensions
{
    /// <summary>
    /// Registers a <see cref="ProviderBatchScheduler"/> (a singleton, disposed with the container) configured by
    /// <paramref name="configure"/>, with the registered <see cref="IProviderBatchStore"/> (PromptOps.Sqlite's
    /// <c>AddPromptOpsSqliteBatchStore()</c> keeps batches across restarts; else an in-memory store), the registered
    /// <see cref="IProviderBatchResultHandler"/>, price catalogue and usage sinks. <c>UsePromptOps()</c> then sends
    /// deferrable calls to it. It also registers a hosted service (<see cref="IHostedService"/>): when the application's
    /// host starts, the batches and items an earlier run left in the store are resumed in the background
    /// (<see cref="ProviderBatchScheduler.ResumeAsync"/>, without holding up start-up); when it stops, the scheduler stops
    /// accepting calls and polling (<see cref="ProviderBatchScheduler.StopAsync"/>) and what it had queued or submitted stays
    /// in the store for the next start. Without a host, call <see cref="ProviderBatchScheduler.ResumeAsync"/> yourself on
    /// start-up. Invalid options throw when the scheduler is first resolved (with a host: when it starts).
    /// </summary>
    public static IServiceCollection AddPromptOpsBatching(this IServiceCollection services, Action<ProviderBatchOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<ProviderBatchOptions>().Configure(configure);
        return AddCore(services);
    }

    /// <summary>
    /// <see cref="AddPromptOpsBatching(IServiceCollection, Action{ProviderBatchOptions})"/> with the options bound from
    /// <paramref name="configuration"/> (pass the <c>PromptOps:Batching</c> section: <c>Provider</c>, <c>BaseAddress</c>,
    /// <c>ApiKey</c>, <c>MaxBatchSize</c>, <c>MaxBatchAge</c> as <c>"00:01:00"</c>, …), then adjusted by <paramref name="configure"/>.
    /// </summary>
    public static IServiceCollection AddPromptOpsBatching(this IServiceCollection services, IConfiguration configuration, Action<ProviderBatchOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = services.AddOptions<ProviderBatchOptions>().Bind(configuration);
        if (configure is not null) builder.PostConfigure(configure);
        return AddCore(services);
    }

    private static IServiceCollection AddCore(IServiceCollection services)
    {
        services.TryAddSingleton<IProviderBatchStore, InMemoryProviderBatchStore>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ProviderBatchHostedService>());
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ProviderBatchOptions>>().Value;
            return new ProviderBatchScheduler(options, sp.GetRequiredService<IProviderBatchStore>(), httpClient: null, sp.GetService<IProviderBatchResultHandler>(),
                sp.GetService<PriceCatalog>(),
                sp.GetService<IEnumerable<IUsageSink>>() ?? [],
                sp.GetService<TimeProvider>(), sp.GetService<ILoggerFactory>()?.CreateLogger<ProviderBatchScheduler>());
        });
        return services;
    }

    /// <summary>
    /// Adds the deferrable-call layer (<see cref="DeferrableChatClient"/>) with <paramref name="scheduler"/>, or the registered
    /// scheduler when null. <c>UsePromptOps()</c> adds it by itself when batching is registered; use this for a pipeline of your own.
    /// </summary>
    public static ChatClientBuilder UseProviderBatching(this ChatClientBuilder builder, ProviderBatchScheduler? scheduler = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) => new DeferrableChatClient(inner, scheduler ?? services.GetService<ProviderBatchScheduler>()
            ?? throw new InvalidOperationException("UseProviderBatching() needs a scheduler: pass one or call services.AddPromptOpsBatching(…).")));
    }
}
