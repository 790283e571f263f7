using System.Globalization;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using PromptOps.Usage;

namespace PromptOps.Generators.Tests.Behaviour;

/// <summary>
/// Metadata is the whole runtime: a raw call that names a task (<c>options.WithPromptOps(new PromptOpsMetadata { Task = … })</c>)
/// and the generated <c>[Prompt(Task = …)]</c> call send the provider the same options — output limit, model of the task's
/// tier, temperature, response format — and are recorded alike (task, tier, cache TTL), for several tasks.
/// </summary>
public class RawAndGeneratedTests
{
    private sealed class Provider : IChatClient
    {
        public List<(List<ChatMessage> Messages, ChatOptions? Options)> Received { get; } = [];

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Received.Add((messages.ToList(), options));
            var reply = options?.MaxOutputTokens switch { 10 => "Billing", 3 => "Yes", _ => "A fine answer." };
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, reply))
            {
                ModelId = options?.ModelId,
                FinishReason = ChatFinishReason.Stop,
                Usage = new UsageDetails { InputTokenCount = 20, OutputTokenCount = 2 },
            });
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
            CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    public static TheoryData<string> Tasks() => new() { "classification", "yes_no", "summary", "translation", "contract_analysis" };

    [Theory]
    [MemberData(nameof(Tasks))]
    public async Task A_raw_call_naming_a_task_sends_what_the_generated_call_sends(string task)
    {
        // Two pipelines, so that neither call can be answered from the other's cache.
        var (generatedProvider, generatedSink, generatedClient) = Pipeline();
        var (rawProvider, rawSink, rawClient) = Pipeline();
        var prompts = new SideBySidePrompts(generatedClient);
        _ = task switch
        {
            "classification" => (object)await prompts.ClassifyAsync("My card was charged twice"),
            "yes_no" => await prompts.IsUrgentAsync("My card was charged twice"),
            "summary" => await prompts.SummarizeAsync("My card was charged twice"),
            "translation" => await prompts.TranslateAsync("My card was charged twice"),
            _ => await prompts.AnalyzeAsync("My card was charged twice"),
        };

        var (messages, generatedOptions) = generatedProvider.Received.Single();
        await rawClient.GetResponseAsync(messages, new ChatOptions().WithPromptOps(new PromptOpsMetadata { Task = task }));
        var rawOptions = rawProvider.Received.Single().Options;

        Assert.Equal(Describe(generatedOptions), Describe(rawOptions));
        Assert.Equal(Knowledge.PromptTasks.GetMaxOutputTokens(task), rawOptions!.MaxOutputTokens);
        Assert.Equal(Knowledge.ModelTiers.GetDefaultModel(Knowledge.PromptTasks.GetTier(task)), rawOptions.ModelId);
        var generated = generatedSink.Snapshot().Single();
        var raw = rawSink.Snapshot().Single();
        Assert.Equal((generated.Task, generated.Tier, generated.ModelId, generated.CacheTtl), (raw.Task, raw.Tier, raw.ModelId, raw.CacheTtl));
        Assert.Equal(generated.CostUsd, raw.CostUsd);
    }

    private static (Provider Provider, InMemoryUsageSink Sink, IChatClient Client) Pipeline()
    {
        var provider = new Provider();
        var sink = new InMemoryUsageSink();
        var client = new ChatClientBuilder(provider).UsePromptOps().Build(new ServiceCollection().AddSingleton<IUsageSink>(sink).BuildServiceProvider());
        return (provider, sink, client);
    }

    /// <summary>Everything the provider reads from the options (the PromptOps metadata is for the layers above, never sent).</summary>
    private static string Describe(ChatOptions? o)
    {
        Assert.NotNull(o);
        var meta = o.GetPromptOps();
        var other = o.AdditionalProperties?.Keys.Where(k => k != ChatOptionsPromptOpsExtensions.AdditionalPropertiesKey).OrderBy(k => k, StringComparer.Ordinal).ToList() ?? [];
        return string.Create(CultureInfo.InvariantCulture,
            $"max={o.MaxOutputTokens} model={o.ModelId} temperature={o.Temperature} topP={o.TopP} format={o.ResponseFormat?.GetType().Name} " +
            $"tools={o.Tools?.Count} stop={string.Join("|", o.StopSequences ?? [])} tier={meta?.EffectiveTier} task={meta?.Task} ttl={meta?.CacheTtl} " +
            $"other=[{string.Join(",", other)}]");
    }
}
