using Microsoft.Extensions.AI;
using PromptOps.Caching;
using PromptOps.Pricing;
using PromptOps.Tests.Infrastructure;
using PromptOps.Usage;

namespace PromptOps.Tests.Metadata;

public sealed class PromptOpsContextTests
{
    private static readonly PromptOpsMetadata Classify = new() { PromptId = "Tickets.Classify", PromptVersion = "v1", Task = "classification" };

    [Fact]
    public void The_ambient_user_fills_metadata_without_a_user_and_scopes_nest_and_restore()
    {
        var options = new ChatOptions().WithPromptOps(Classify);
        Assert.Null(options.GetPromptOps()!.UserId);
        Assert.Null(new ChatOptions().GetPromptOps());

        using (PromptOpsContext.BeginUser("alice"))
        {
            Assert.Equal("alice", options.GetPromptOps()!.UserId);
            Assert.Equal("Tickets.Classify", options.GetPromptOps()!.PromptId); // the rest of the metadata is kept
            Assert.Equal("alice", new ChatOptions().GetPromptOps()!.UserId);      // no metadata: one with only the user
            Assert.Equal("alice", ((ChatOptions?)null).GetPromptOps()!.UserId);
            using (PromptOpsContext.BeginUser("bob"))
            {
                Assert.Equal("bob", PromptOpsContext.UserId);
            }

            Assert.Equal("alice", PromptOpsContext.UserId);
            // An explicit user wins over the ambient one.
            Assert.Equal("carol", new ChatOptions().WithPromptOps(Classify with { UserId = "carol" }).GetPromptOps()!.UserId);
        }

        Assert.Null(PromptOpsContext.UserId);
        Assert.Null(options.GetPromptOps()!.UserId);
        Assert.Throws<ArgumentException>(() => PromptOpsContext.BeginUser(" "));
    }

    [Fact]
    public async Task The_ambient_user_flows_into_async_calls_and_the_usage_record_but_not_into_the_cache_key()
    {
        var sink = new InMemoryUsageSink();
        var provider = new RecordingChatClient(model: "gpt-4o-mini");
        using var client = new UsageMeterChatClient(new PromptCacheChatClient(provider), new PriceCatalog(), [sink]);

        async Task AskAs(string user)
        {
            using var _ = PromptOpsContext.BeginUser(user);
            await Task.Yield(); // the scope survives an await
            await client.GetResponseAsync([new(ChatRole.User, "Where is my parcel?")], new ChatOptions().WithPromptOps(Classify));
        }

        await Task.WhenAll(AskAs("alice"), AskAs("bob"));
        await AskAs("carol");

        Assert.Equal(["alice", "bob", "carol"], sink.Snapshot().Select(r => r.UserId!).Order(StringComparer.Ordinal));
        // The same prompt for three users is one cache entry: the user is not part of the key (CacheScope is).
        Assert.Equal(1, provider.Calls);
        Assert.Null(PromptOpsContext.UserId);
    }
}
