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
    public void The_ambient_user_is_the_user_of_requests_without_one_and_scopes_nest_and_restore()
    {
        var options = new ChatOptions().WithPromptOps(Classify);
        Assert.Null(options.GetPromptOpsUserId());
        Assert.Null(new ChatOptions().GetPromptOpsUserId());

        using (PromptOpsContext.BeginUser("alice"))
        {
            Assert.Equal("alice", options.GetPromptOpsUserId());
            Assert.Null(options.GetPromptOps()!.UserId);                 // the metadata itself is not changed
            Assert.Equal("alice", new ChatOptions().GetPromptOpsUserId()); // no metadata
            Assert.Equal("alice", ((ChatOptions?)null).GetPromptOpsUserId());
            using (PromptOpsContext.BeginUser("bob"))
            {
                Assert.Equal("bob", PromptOpsContext.UserId);
                Assert.Equal("bob", options.GetPromptOpsUserId());
            }

            Assert.Equal("alice", PromptOpsContext.UserId);
            // An explicit user wins over the ambient one.
            Assert.Equal("carol", new ChatOptions().WithPromptOps(Classify with { UserId = "carol" }).GetPromptOpsUserId());
        }

        Assert.Null(PromptOpsContext.UserId);
        Assert.Null(options.GetPromptOpsUserId());
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
