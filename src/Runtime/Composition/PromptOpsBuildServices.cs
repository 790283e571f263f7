using Microsoft.Extensions.DependencyInjection;

namespace PromptOps;

/// <summary>
/// The services <c>UsePromptOps</c> builds its layers with: the application's, plus the pipeline's
/// <see cref="PromptOpsOptionsSnapshot"/>, so that each <c>Use…</c> layer reads the one options snapshot of this
/// <c>Build</c> from DI instead of resolving and validating the options again.
/// </summary>
internal sealed class PromptOpsBuildServices(IServiceProvider services, PromptOpsOptionsSnapshot snapshot) : IServiceProvider, IKeyedServiceProvider
{
    /// <inheritdoc />
    public object? GetService(Type serviceType) =>
        serviceType == typeof(PromptOpsOptionsSnapshot) ? snapshot : services.GetService(serviceType);

    /// <inheritdoc />
    public object? GetKeyedService(Type serviceType, object? serviceKey) =>
        services is IKeyedServiceProvider keyed ? keyed.GetKeyedService(serviceType, serviceKey) : null;

    /// <inheritdoc />
    public object GetRequiredKeyedService(Type serviceType, object? serviceKey) =>
        GetKeyedService(serviceType, serviceKey)
        ?? throw new InvalidOperationException($"No keyed service of type '{serviceType}' is registered under the key '{serviceKey}'.");
}
