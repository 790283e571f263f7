using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PromptOps;
using PromptOps.FirstResponse;

// One cold start: builds the pipeline, makes one call and prints how long each took (ms, from the start of Main).
//   anchor           Microsoft.Extensions.AI with its distributed cache (in memory): what an application without PromptOps has
//   promptops        UsePromptOps() with a daily budget (the budget counts tokens, so the tokenizer is loaded for the call)
//   promptops-plain  UsePromptOps() with the defaults (no budget or plans: no tokenizer)
var clock = Stopwatch.StartNew();
var mode = args.Length == 1 ? args[0] : "";
IChatClient provider = new StandInProvider();
IChatClient client;
switch (mode)
{
    case "anchor":
    {
        var services = new ServiceCollection().BuildServiceProvider();
        client = provider.AsBuilder().UseDistributedCache(new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions()))).Build(services);
        break;
    }

    case "promptops":
    {
        var services = new ServiceCollection().AddPromptOps(o => o.Budget.DailyLimitUsd = 5m).BuildServiceProvider();
        client = provider.AsBuilder().UsePromptOps().Build(services);
        break;
    }

    case "promptops-plain":
    {
        var services = new ServiceCollection().AddPromptOps().BuildServiceProvider();
        client = provider.AsBuilder().UsePromptOps().Build(services);
        break;
    }

    default:
        Console.Error.WriteLine("usage: FirstResponse anchor|promptops|promptops-plain");
        return 2;
}

var built = clock.Elapsed.TotalMilliseconds;
var response = await client.GetResponseAsync("Where is my parcel?", new ChatOptions { ModelId = "gpt-4o-mini", MaxOutputTokens = 50 }).ConfigureAwait(false);
var answered = clock.Elapsed.TotalMilliseconds;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"first-response {mode} build_ms={built:F1} call_ms={answered - built:F1} answer={response.Text}"));
return 0;
