using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace PromptOps.Routing;

/// <summary>
/// A chain of named providers. Each call goes to the first healthy provider through a Polly pipeline: per-attempt
/// timeout, and retries with exponential backoff (jittered) on transient errors that wait exactly as long as a 429's
/// or 503's <c>Retry-After</c> asks (up to <see cref="FallbackOptions.MaxRetryAfter"/>). When a provider's retries are
/// exhausted, or it fails with an error that retrying cannot fix, the call moves to the next provider. A provider
/// that fails with a non-transient error (<see cref="ProviderErrorKind.Unhealthy"/>) is skipped for
/// <see cref="FallbackOptions.UnhealthyCooldown"/>; after it, one request probes it again. The caller's cancellation is
/// never retried nor blamed on a provider. The answering provider's name is on the response
/// (<see cref="FallbackResponseExtensions.GetProvider(ChatResponse)"/>). A stream falls back only until its first
/// update has arrived; after that, an error reaches the caller.
/// <para>
/// Turn off the provider SDK's own retries (OpenAI: <c>OpenAIClientOptions.RetryPolicy = new ClientRetryPolicy(0)</c>)
/// so that the attempts are not multiplied.
/// </para>
/// </summary>
public sealed class FallbackChatClient : IChatClient
{
    private static readonly ResiliencePropertyKey<string> ProviderName = new("promptops.provider");

    private readonly NamedChatClient[] _providers;
    private readonly ProviderHealth[] _health;
    private readonly FallbackOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _pipeline;

    /// <summary>Creates the chain; providers are tried in the given order.</summary>
    /// <exception cref="ArgumentException">No provider, a duplicate name, or invalid options (naming the bad value).</exception>
    public FallbackChatClient(IEnumerable<NamedChatClient> providers, FallbackOptions? options = null, TimeProvider? timeProvider = null,
        ILogger<FallbackChatClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(providers);
        _providers = [.. providers];
        if (_providers.Length == 0) throw new ArgumentException("A fallback chain needs at least one provider.", nameof(providers));
        if (_providers.Any(p => p is null)) throw new ArgumentException("A provider is null.", nameof(providers));
        var dup = _providers.GroupBy(p => p.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new ArgumentException($"The provider name '{dup.Key}' is used more than once.", nameof(providers));
        _options = (options ?? new FallbackOptions()).Clone();
        var errors = _options.GetErrors().ToList();
        if (errors.Count > 0) throw new ArgumentException(string.Join(Environment.NewLine, errors), nameof(options));
        _health = [.. _providers.Select(_ => new ProviderHealth())];
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _pipeline = BuildPipeline();
    }

    /// <summary>The providers, in order.</summary>
    public IReadOnlyList<NamedChatClient> Providers => _providers;

    /// <summary>The first provider of the chain (the builder's provider when added by <c>UseFallback</c>).</summary>
    internal IChatClient Primary => _providers[0].Client;

    /// <summary>Each provider's health now.</summary>
    public IReadOnlyList<ProviderStatus> GetProviderStatus() => [.. _providers.Select((p, i) => _health[i].Snapshot(p.Name))];

    /// <inheritdoc />
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        var (response, name) = await CallAsync(list, options,
            static (client, messages, options, _, attempt) => new ValueTask<ChatResponse>(client.GetResponseAsync(messages, options, attempt)),
            cancellationToken).ConfigureAwait(false);
        PromptOpsResponseFeatures.Of(response).Provider = name;
        return response;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        var (start, name) = await CallAsync(list, options, StartStreamAsync, cancellationToken).ConfigureAwait(false);
        using (start.Cancellation)
        {
            await using var e = start.Enumerator;
            if (!start.HasFirst) yield break;
            // On every update, so that the response the updates make (ToChatResponse keeps the last features) names it too.
            var first = start.Enumerator.Current;
            PromptOpsResponseFeatures.Of(first).Provider = name;
            yield return first;
            while (await e.MoveNextAsync().ConfigureAwait(false))
            {
                PromptOpsResponseFeatures.Of(e.Current).Provider = name;
                yield return e.Current;
            }
        }
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is null && serviceType.IsInstanceOfType(this)) return this;
        return _providers[0].Client.GetService(serviceType, serviceKey);
    }

    /// <summary>Disposes the providers' clients that are <see cref="NamedChatClient.DisposeWithChain"/>.</summary>
    public void Dispose()
    {
        foreach (var p in _providers)
        {
            if (p.DisposeWithChain) p.Client.Dispose();
        }
    }

    private ResiliencePipeline BuildPipeline()
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = _time };
        if (_options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = _options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = _options.UseJitter,
                Delay = _options.BaseDelay,
                MaxDelay = _options.MaxDelay,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e && !IsCallerCancellation(e, args.Context.CancellationToken) && IsRetryable(e)),
                DelayGenerator = args => ValueTask.FromResult(args.Outcome.Exception is { } e ? Classify(e).RetryAfter : null),
                OnRetry = args =>
                {
                    if (!_logger.IsEnabled(LogLevel.Information)) return ValueTask.CompletedTask;
                    var error = args.Outcome.Exception is { } e ? ProviderErrors.Describe(e, Classify(e)) : "no answer";
                    var provider = args.Context.Properties.GetValue(ProviderName, "?");
                    FallbackLog.Retrying(_logger, provider, args.AttemptNumber + 1, error, args.RetryDelay);
                    return ValueTask.CompletedTask;
                },
            });
        }

        if (_options.AttemptTimeout != Timeout.InfiniteTimeSpan) builder.AddTimeout(new TimeoutStrategyOptions { Timeout = _options.AttemptTimeout });
        return builder.Build();
    }

    private bool IsRetryable(Exception e)
    {
        var error = Classify(e);
        return error.Kind == ProviderErrorKind.Transient && (error.RetryAfter is not { } after || after <= _options.MaxRetryAfter);
    }

    private ProviderError Classify(Exception e)
    {
        var builtIn = ProviderErrors.Classify(e, _time);
        return _options.Classifier?.Invoke(e) is { } kind ? builtIn with { Kind = kind } : builtIn;
    }

    private void OnProviderFailed(int index, bool probe, Exception e)
    {
        var provider = _providers[index];
        var error = Classify(e);
        var description = ProviderErrors.Describe(e, error);
        if (error.Kind == ProviderErrorKind.Unhealthy)
        {
            var until = _time.GetUtcNow() + _options.UnhealthyCooldown;
            _health[index].MarkUnhealthy(until, description, probe);
            FallbackLog.MarkedUnhealthy(_logger, provider.Name, description, until, e);
        }
        else
        {
            _health[index].Release(probe);
            FallbackLog.ProviderFailed(_logger, provider.Name, description, e);
        }
    }

    private AllProvidersFailedException AllFailed(List<Exception> failures, List<string> skipped)
    {
        var status = GetProviderStatus().ToDictionary(s => s.Name);
        var parts = new List<string>();
        foreach (var name in skipped)
            parts.Add($"'{name}' skipped: unhealthy until {status[name].UnhealthyUntil:O} after {status[name].LastError}");
        var message = $"Every provider of the fallback chain failed ({string.Join(", ", _providers.Select(p => p.Name))})"
                      + (parts.Count > 0 ? "; " + string.Join("; ", parts) : "") + ".";
        return new AllProvidersFailedException(message, failures);
    }

    private static bool IsCallerCancellation(Exception e, CancellationToken caller) => e is OperationCanceledException && caller.IsCancellationRequested;

    private static ChatOptions? MapModel(NamedChatClient provider, ChatOptions? options)
    {
        if (provider.Models is null || options?.ModelId is not { } model || !provider.Models.TryGetValue(model, out var mapped)) return options;
        var copy = options.Clone();
        copy.ModelId = mapped;
        return copy;
    }

    // Opens the stream and waits for its first update under the attempt's token (timeout included); the rest of the
    // stream runs under the caller's token only, so a pooled Polly token that is later reused cannot cancel it.
    /// <summary>
    /// The fallback loop both paths share: each healthy provider in order (an unhealthy one is skipped until its probe),
    /// through the retry pipeline; the first success marks the provider healthy again and is returned with the
    /// provider's name. A failure that is not the caller's cancellation is recorded and the next provider is tried.
    /// </summary>
    private async Task<(T Result, string Provider)> CallAsync<T>(IReadOnlyList<ChatMessage> messages, ChatOptions? options,
        Func<IChatClient, IReadOnlyList<ChatMessage>, ChatOptions?, CancellationToken, CancellationToken, ValueTask<T>> call, CancellationToken cancellationToken)
    {
        var failures = new List<Exception>();
        var skipped = new List<string>();
        for (var i = 0; i < _providers.Length; i++)
        {
            var provider = _providers[i];
            if (!_health[i].TryEnter(_time.GetUtcNow(), out var probe))
            {
                skipped.Add(provider.Name);
                continue;
            }

            var context = ResilienceContextPool.Shared.Get(cancellationToken);
            context.Properties.Set(ProviderName, provider.Name);
            try
            {
                var result = await _pipeline.ExecuteAsync(
                    static (ctx, s) => s.Call(s.Client, s.Messages, s.Options, s.Caller, ctx.CancellationToken),
                    context, (Call: call, provider.Client, Messages: messages, Options: MapModel(provider, options), Caller: cancellationToken)).ConfigureAwait(false);
                if (_health[i].Succeeded(probe)) FallbackLog.Recovered(_logger, provider.Name);
                return (result, provider.Name);
            }
            catch (Exception e) when (!IsCallerCancellation(e, cancellationToken))
            {
                OnProviderFailed(i, probe, e);
                failures.Add(e);
            }
            catch
            {
                _health[i].Release(probe);
                throw;
            }
            finally
            {
                ResilienceContextPool.Shared.Return(context);
            }
        }

        throw AllFailed(failures, skipped);
    }

    private static async ValueTask<StreamStart> StartStreamAsync(IChatClient client, IReadOnlyList<ChatMessage> messages, ChatOptions? options,
        CancellationToken caller, CancellationToken attempt)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(caller);
        IAsyncEnumerator<ChatResponseUpdate>? e = null;
        try
        {
            bool has;
            using (attempt.Register(static s => ((CancellationTokenSource)s!).Cancel(), cts))
            {
                e = client.GetStreamingResponseAsync(messages, options, cts.Token).GetAsyncEnumerator(cts.Token);
                has = await e.MoveNextAsync().ConfigureAwait(false);
            }

            attempt.ThrowIfCancellationRequested();
            return new StreamStart(e, cts, has);
        }
        catch
        {
            if (e is not null) await e.DisposeAsync().ConfigureAwait(false);
            cts.Dispose();
            throw;
        }
    }

    private sealed record StreamStart(IAsyncEnumerator<ChatResponseUpdate> Enumerator, CancellationTokenSource Cancellation, bool HasFirst);
}
