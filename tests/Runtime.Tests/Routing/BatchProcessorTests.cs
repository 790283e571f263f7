using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;
using PromptOps.Routing;
using PromptOps.Tests.Infrastructure;
using PromptOps.Tokens;

namespace PromptOps.Tests.Routing;

public partial class BatchProcessorTests
{
    private const string Task = "Classify the sentiment of the review as positive or negative. Answer with one word.";

    [GeneratedRegex(@"### Item (\d+)\n(.*?)(?=\n\n### Item |\z)", RegexOptions.Singleline)]
    private static partial Regex ItemPattern();

    // A provider that answers batch calls with a JSON array (shaped by `shape`) and single calls with the item's label.
    private static RecordingChatClient Provider(Func<List<(int Id, string Item)>, string>? shape = null)
    {
        var provider = new RecordingChatClient();
        provider.Respond = (messages, o, _) =>
        {
            var user = messages.Last().Text;
            string text;
            if (messages[0].Text.Contains("numbered items", StringComparison.Ordinal))
            {
                var items = ItemPattern().Matches(user).Select(m => (Id: int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), Item: m.Groups[2].Value.Trim())).ToList();
                text = shape?.Invoke(items) ?? JsonSerializer.Serialize(items.Select(i => new { id = i.Id, answer = Label(i.Item) }));
            }
            else
            {
                text = Label(user);
            }

            return System.Threading.Tasks.Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, text))
            {
                ModelId = o?.ModelId ?? "gpt-4o-mini",
                Usage = new UsageDetails { InputTokenCount = 10 + user.Length / 4, OutputTokenCount = 3 },
            });
        };
        return provider;
    }

    private static string Label(string item) => item.Contains("bad", StringComparison.Ordinal) ? "negative" : "positive";

    private static bool IsBatch(IList<ChatMessage> m) => m[0].Text.Contains("numbered items", StringComparison.Ordinal);

    [Fact]
    public async Task A_full_batch_is_sent_at_once_as_one_call_and_every_item_gets_its_own_answer()
    {
        var provider = Provider();
        var clock = new FakeTimeProvider();
        await using var batcher = new BatchProcessor(provider, new BatchProcessorOptions { Instructions = Task, MaxBatchSize = 3 }, timeProvider: clock);

        var answers = await System.Threading.Tasks.Task.WhenAll(batcher.ProcessAsync("great"), batcher.ProcessAsync("bad"), batcher.ProcessAsync("fine"));

        Assert.Equal(["positive", "negative", "positive"], answers);
        Assert.Equal(1, provider.Calls); // no time passed: the size flushed it
        var call = provider.Received.Single();
        Assert.Contains("### Item 3\nfine", call.Messages[1].Text, StringComparison.Ordinal);
        Assert.StartsWith(Task, call.Messages[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_partial_batch_is_sent_when_the_delay_has_passed()
    {
        var provider = Provider();
        var clock = new FakeTimeProvider();
        await using var batcher = new BatchProcessor(provider, new BatchProcessorOptions { Instructions = Task, MaxBatchSize = 10, MaxDelay = TimeSpan.FromSeconds(2) },
            timeProvider: clock);

        var a = batcher.ProcessAsync("great");
        var b = batcher.ProcessAsync("bad");
        clock.Advance(TimeSpan.FromSeconds(1.9));
        Assert.Equal(0, provider.Calls);
        Assert.False(a.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(0.1));

        Assert.Equal("positive", await a);
        Assert.Equal("negative", await b);
        Assert.Equal(1, provider.Calls);
    }

    [Fact]
    public async Task Missing_invalid_and_duplicate_answers_fall_back_to_single_calls_and_nothing_is_answered_twice()
    {
        // Item 2 missing, item 3 answered twice (first wins), item 4 empty, an id out of range.
        var provider = Provider(items => """[{"id": 1, "answer": "positive"}, {"id": 3, "answer": "first"}, {"id": 3, "answer": "second"}, {"id": 4, "answer": " "}, {"id": 9, "answer": "x"}]""");
        await using var batcher = new BatchProcessor(provider, new BatchProcessorOptions { Instructions = Task, MaxBatchSize = 4 }, timeProvider: new FakeTimeProvider());

        var answers = await System.Threading.Tasks.Task.WhenAll(batcher.ProcessAsync("great"), batcher.ProcessAsync("bad"), batcher.ProcessAsync("ok"), batcher.ProcessAsync("bad too"));

        Assert.Equal(["positive", "negative", "first", "negative"], answers);
        var singles = provider.Received.Where(r => !IsBatch(r.Messages)).Select(r => r.Messages[1].Text).Order().ToList();
        Assert.Equal(["bad", "bad too"], singles); // exactly the unanswered ones, once each
        var stats = batcher.Statistics;
        Assert.Equal(4, stats.Items);
        Assert.Equal(2, stats.ItemsAnsweredInBatch);
        Assert.Equal(1, stats.BatchCalls);
        Assert.Equal(2, stats.SingleCalls);
    }

    [Fact]
    public async Task An_answer_the_validator_rejects_is_asked_again_alone()
    {
        var provider = Provider(items => JsonSerializer.Serialize(items.Select(i => new { id = i.Id, answer = i.Id == 2 ? "dunno" : Label(i.Item) })));
        await using var batcher = new BatchProcessor(provider, new BatchProcessorOptions
        {
            Instructions = Task,
            MaxBatchSize = 2,
            AnswerValidator = a => a is "positive" or "negative",
        }, timeProvider: new FakeTimeProvider());
        var answers = await System.Threading.Tasks.Task.WhenAll(batcher.ProcessAsync("great"), batcher.ProcessAsync("bad"));
        Assert.Equal(["positive", "negative"], answers);
        Assert.Equal(2, provider.Calls);
    }

    [Theory]
    [InlineData("Sorry, I cannot do that.")]
    [InlineData("[{\"id\": 1, \"answer\": \"positive\"")]
    [InlineData("{\"id\": 1}")]
    public async Task An_unparseable_reply_falls_back_to_single_calls_for_every_item(string reply)
    {
        var provider = Provider(_ => reply);
        await using var batcher = new BatchProcessor(provider, new BatchProcessorOptions { Instructions = Task, MaxBatchSize = 3 }, timeProvider: new FakeTimeProvider());
        var answers = await System.Threading.Tasks.Task.WhenAll(batcher.ProcessAsync("great"), batcher.ProcessAsync("bad"), batcher.ProcessAsync("fine"));
        Assert.Equal(["positive", "negative", "positive"], answers);
        Assert.Equal(4, provider.Calls);
        Assert.Equal(1, batcher.Statistics.FailedBatchCalls);
        Assert.True(batcher.Statistics.OverheadTokensSaved <= 0);
    }

    [Fact]
    public async Task A_failed_batch_call_falls_back_and_a_failed_single_call_fails_only_its_own_task()
    {
        var provider = Provider();
        var inner = provider.Respond;
        provider.Respond = (m, o, ct) => IsBatch(m) || m[1].Text == "boom" ? throw new HttpRequestException("down") : inner(m, o, ct);
        await using var batcher = new BatchProcessor(provider, new BatchProcessorOptions { Instructions = Task, MaxBatchSize = 2 }, timeProvider: new FakeTimeProvider());

        var good = batcher.ProcessAsync("great");
        var bad = batcher.ProcessAsync("boom");

        Assert.Equal("positive", await good);
        await Assert.ThrowsAsync<HttpRequestException>(() => bad);
    }

    [Fact]
    public async Task A_cancelled_item_that_was_not_sent_yet_is_not_sent()
    {
        var provider = Provider();
        var clock = new FakeTimeProvider();
        await using var batcher = new BatchProcessor(provider, new BatchProcessorOptions { Instructions = Task, MaxBatchSize = 10 }, timeProvider: clock);
        using var cts = new CancellationTokenSource();
        var cancelled = batcher.ProcessAsync("never", cts.Token);
        var kept = batcher.ProcessAsync("great");
        await cts.CancelAsync();
        await batcher.FlushAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal("positive", await kept);
        Assert.DoesNotContain(provider.Received, r => r.Messages.Any(m => m.Text.Contains("never", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task The_overhead_saved_is_the_instructions_and_framing_of_each_single_call_minus_the_batch_overhead()
    {
        var provider = Provider();
        await using var batcher = new BatchProcessor(provider, new BatchProcessorOptions { Instructions = Task, MaxBatchSize = 20 }, timeProvider: new FakeTimeProvider());
        await System.Threading.Tasks.Task.WhenAll(Enumerable.Range(0, 20).Select(i => batcher.ProcessAsync("review " + i)));

        var counter = TokenCounters.ForModel("gpt-4o-mini");
        var perRequest = counter.CountTokens(Task) + 11;
        var stats = batcher.Statistics;
        Assert.Equal(perRequest, stats.OverheadTokensPerRequest);
        Assert.Equal(20, stats.ItemsAnsweredInBatch);
        Assert.InRange(stats.OverheadTokensSaved, 1, 20 * perRequest - perRequest); // saves most of 19 of 20 overheads
        Assert.Equal(stats.OverheadTokensSaved * 0.15m / 1_000_000m, stats.OverheadCostSavedUsd);
    }

    [Fact]
    public async Task Output_tokens_per_item_scale_to_the_batch()
    {
        var provider = Provider();
        await using var batcher = new BatchProcessor(provider, new BatchProcessorOptions
        {
            Instructions = Task,
            MaxBatchSize = 2,
            ChatOptions = new ChatOptions { ModelId = "gpt-4o-mini", MaxOutputTokens = 5 },
        }, timeProvider: new FakeTimeProvider());
        await System.Threading.Tasks.Task.WhenAll(batcher.ProcessAsync("a"), batcher.ProcessAsync("b"));
        Assert.Equal((5 + 12) * 2 + 4, provider.Received.Single().Options!.MaxOutputTokens);
    }

    [Fact]
    public void Bad_options_are_reported_by_name()
    {
        var e = Assert.Throws<ArgumentException>(() => new BatchProcessor(new RecordingChatClient(),
            new BatchProcessorOptions { Instructions = " ", MaxBatchSize = 0, MaxDelay = TimeSpan.Zero, MaxParallelSingleCalls = 0 }));
        Assert.Contains("Instructions is empty", e.Message, StringComparison.Ordinal);
        Assert.Contains("MaxBatchSize is 0", e.Message, StringComparison.Ordinal);
        Assert.Contains("MaxDelay is 00:00:00", e.Message, StringComparison.Ordinal);
        Assert.Contains("MaxParallelSingleCalls is 0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Many_concurrent_items_each_get_exactly_one_answer()
    {
        var provider = Provider(items => JsonSerializer.Serialize(items.Where(i => i.Id % 3 != 0).Select(i => new { id = i.Id, answer = "batch:" + i.Item })));
        await using var batcher = new BatchProcessor(provider, new BatchProcessorOptions { Instructions = Task, MaxBatchSize = 7 });
        var items = Enumerable.Range(0, 200).Select(i => "item " + i).ToList();
        var answers = await System.Threading.Tasks.Task.WhenAll(items.Select(i => System.Threading.Tasks.Task.Run(() => batcher.ProcessAsync(i))));
        await batcher.FlushAsync();

        for (var i = 0; i < items.Count; i++) Assert.True(answers[i] == "batch:" + items[i] || answers[i] == "positive");
        var singles = provider.Received.Where(r => !IsBatch(r.Messages)).Select(r => r.Messages[1].Text).ToList();
        Assert.Equal(singles.Count, singles.Distinct().Count()); // none asked twice
        var stats = batcher.Statistics;
        Assert.Equal(200, stats.Items);
        Assert.Equal(200, stats.ItemsAnsweredInBatch + singles.Count);
    }
}
