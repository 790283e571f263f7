// The README's five-minute tour as one complete program. Every C# snippet of README.md appears here verbatim, and a
// test (tests/Generators.Tests/TourTests.cs) compiles this file with the generator and checks the snippets, so the README
// cannot drift from the API.
//
// To run it: `dotnet new console`, `dotnet add package PromptOps.All` (PromptOps, PromptOps.Redis, PromptOps.Sqlite),
// `dotnet add package PromptOps.Testing` (the simulated provider) and
// `dotnet add package Microsoft.Extensions.Configuration.Json` (ConfigurationBuilder) and
// `dotnet add package Microsoft.Extensions.DependencyInjection` (ServiceCollection), then replace Program.cs with this file. It answers through
// PromptOps.Testing's *simulated* provider; swap `openAiChatClient` for a real client (for example
// `new OpenAI.Chat.ChatClient("gpt-4o-mini", key).AsIChatClient()` from Microsoft.Extensions.AI.OpenAI) to call a model.
using System.ComponentModel;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PromptOps;
using PromptOps.Caching.Provider;
using PromptOps.Routing.Batching;
using PromptOps.Knowledge;
using PromptOps.Simulation;

var configuration = new ConfigurationBuilder()
    .AddInMemoryCollection(new Dictionary<string, string?> { ["PromptOps:Cache:DefaultTtl"] = "01:00:00" })
    .Build();
IChatClient openAiChatClient = new SimulatedChatClient();

var services = new ServiceCollection();
services.AddSingleton<SupportDesk>();
services.AddPromptOps(configuration.GetSection("PromptOps"));   // options, prices, metrics
services.AddPromptOpsRedis();                                   // PromptOps.Redis: used when PromptOps:Redis:Configuration is set
services.AddPromptOpsSqliteLedger();                            // PromptOps.Sqlite: used when PromptOps:Ledger:SqlitePath is set
services.AddChatClient(openAiChatClient).UsePromptOps();        // the whole pipeline, in the right order

await using var provider = services.BuildServiceProvider();
var desk = provider.GetRequiredService<SupportDesk>();
var user = new { Id = "user-42" };
var ticket = "I was charged twice for my subscription this month.";

using (PromptOpsContext.BeginUser(user.Id))                     // budgets, plans and reports key on the user
{
    var category = await desk.ClassifyAsync(ticket);            // gpt-4o-mini, 10 output tokens, cached for 30 days
    Console.WriteLine($"category: {category}");
}

// A raw IChatClient call gets the same runtime by attaching metadata.
var chat = provider.GetRequiredService<IChatClient>();
var options = new ChatOptions { MaxOutputTokens = 10 };
options.WithPromptOps(new PromptOpsMetadata { Task = "classification", CacheTtl = CacheTtl.Static });
var reply = await chat.GetResponseAsync("Classify: the app crashes on start.", options);
Console.WriteLine($"raw: {reply.Text}");

// Step 6 of the README: the same pipeline traced by Microsoft.Extensions.AI's OpenTelemetry client, innermost.
static void AddTracedPipeline(IServiceCollection services, IChatClient openAiChatClient)
{
    services.AddChatClient(openAiChatClient).UsePromptOps().UseOpenTelemetry();   // PromptOps outside, gen_ai.* inside
}

// The provider's own prompt cache (README): the provider SDK sends through the cache-aware HttpClient.
static IChatClient WithProviderCache(IChatClient providerChatClient, IServiceProvider services)
{
    HttpClient cacheAware = ProviderPromptCacheHandler.CreateHttpClient();
    // Anthropic's SDK: new AnthropicClient { HttpClient = cacheAware }.AsIChatClient("claude-sonnet-4-5")
    // OpenAI's SDK: new OpenAIClient(key, new OpenAIClientOptions { Transport = new HttpClientPipelineTransport(cacheAware) })
    IChatClient chat = providerChatClient.AsBuilder().UsePromptOps().Build(services);
    return chat;
}

public enum TicketCategory
{
    Billing,
    [Description("Technical issue")] Technical,
    Account,
}

public partial class SupportDesk(IChatClient chat)
{
    [Prompt(Task = "classification", CacheTtl = "static",
            System = "Classify the support ticket by what it is about.", User = "{ticket}")]
    public partial Task<TicketCategory> ClassifyAsync([MaxInputTokens(1000)] string ticket, CancellationToken cancellationToken = default);

    [Prompt(Task = "short_answer", CacheTtl = "realtime",
            System = "Answer the customer's question about their own account.", User = "{question}")]
    public partial Task<string> AnswerAccountAsync([MaxInputTokens(500)] string question, [CacheScope] string userId, CancellationToken cancellationToken = default);
}

// Conversations that stop growing: a chat loop whose requests stay under 8,000 input tokens (README).
public static class Conversation
{
    public static async Task ChatLoopAsync(IChatClient openAiChatClient, IServiceProvider services)
    {
#pragma warning disable PROMPTOPS001 // UseConversationBudget is experimental: its API may still change (docs/public-api.md)
        IChatClient chat = openAiChatClient.AsBuilder()
            .UseConversationBudget(8_000)           // first, so the meter, the cache and the budget see the history as sent
            .UsePromptOps()
            .Build(services);

        List<ChatMessage> history = [new(ChatRole.System, "You are the shop's support assistant.")];
        while (Console.ReadLine() is { Length: > 0 } input)
        {
            history.Add(new(ChatRole.User, input));
            history.AddMessages(await chat.GetResponseAsync(history, new ChatOptions { MaxOutputTokens = 300 }));
        }
    }
}

// Work that can wait: provider batches (README). Experimental: its API may still change (docs/public-api.md).
#pragma warning disable PROMPTOPS001
public static class Batches
{
    public static void Register(IServiceCollection services, string key)
    {
        services.AddPromptOps(o => o.Ledger.SqlitePath = "promptops.db").AddPromptOpsSqliteLedger();
        services.AddPromptOpsBatching(o => { o.Provider = BatchProviderKind.OpenAI; o.ApiKey = key; o.MaxBatchSize = 1_000; });
        services.AddPromptOpsSqliteBatchStore();                             // batches survive a restart (ledger schema 5)
        services.AddSingleton<IProviderBatchResultHandler, NightlyReport>(); // results whose caller is gone
        // with a host (ASP.NET Core, a worker), nothing more: the batches of the last run resume when it starts, and stopping it loses nothing
    }

    public static async Task<string> SummarizeLaterAsync(IChatClient chat, List<ChatMessage> messages, (string Id, string Text) ticket)
    {
        var reply = await chat.GetResponseAsync(messages, new ChatOptions().Deferrable(key: ticket.Id)); // raw call
        return reply.Text;
    }
}

public partial class Digests(IChatClient chat)
{
    [Prompt(Task = "summary", User = "{text}", Deferrable = true)] public partial Task<string> DigestAsync([MaxInputTokens(2000)] string text); // generated
}

public sealed class NightlyReport : IProviderBatchResultHandler
{
    public ValueTask HandleAsync(ProviderBatchResult result, CancellationToken cancellationToken)
    {
        Console.WriteLine($"{result.ItemId}: done");
        return ValueTask.CompletedTask;
    }
}
#pragma warning restore PROMPTOPS001
