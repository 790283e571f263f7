using PromptOps.Usage;
using PromptOps.Usage.Sqlite;

namespace PromptOps.Cli.Tests;

/// <summary><c>promptops report</c>: answers cut off, escalations and replies that failed validation, per prompt, in text and HTML.</summary>
public sealed class ReplyQualityReportTests
{
    private static async Task<string> LedgerAsync(bool clean)
    {
        var path = Path.Combine(Path.GetTempPath(), "promptops-ledger-" + Guid.NewGuid().ToString("N") + ".db");
        var at = new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);
        await using var sink = new SqliteUsageSink(path);
        UsageRecord Call(string prompt, UsageAnomalies anomalies = UsageAnomalies.None, int escalations = 0) => new()
        {
            Timestamp = at, Endpoint = prompt, PromptId = prompt, ModelId = "gpt-4o-mini", InputTokens = 100, OutputTokens = 5, CostUsd = 0.01m,
            CostSavedUsd = 0m, IsPriced = true, Anomalies = anomalies, Escalations = escalations, Latency = TimeSpan.FromMilliseconds(100),
        };
        sink.Record(Call("Desk.ClassifyAsync"));
        sink.Record(Call("Desk.AnswerAsync"));
        if (!clean)
        {
            sink.Record(Call("Desk.ClassifyAsync", UsageAnomalies.ReplyInvalid, escalations: 1));
            sink.Record(Call("Desk.ClassifyAsync", UsageAnomalies.ReplyInvalid, escalations: 2));
            sink.Record(Call("Desk.AnswerAsync", UsageAnomalies.Truncated));
        }

        return path;
    }

    [Fact]
    public async Task Escalations_and_failed_replies_are_counted_per_prompt_in_text_and_html()
    {
        var ledger = await LedgerAsync(clean: false);
        var html = Path.Combine(Path.GetTempPath(), "promptops-report-" + Guid.NewGuid().ToString("N") + ".html");
        try
        {
            var run = await Cli.RunAsync("report", ledger, "--html", html);
            Assert.Equal(0, run.Exit);
            Assert.Contains("Replies: 1 cut off, 3 escalations, 2 failed validation in 5 requests.", run.Out, StringComparison.Ordinal);
            var rows = run.Out.Split('\n').Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))).ToList();
            Assert.Contains("Desk.ClassifyAsync 3 0 3 2", rows); // requests, cut off, escalations, failed validation
            Assert.Contains("Desk.AnswerAsync 2 1 0 0", rows);
            Assert.True(rows.IndexOf("Desk.ClassifyAsync 3 0 3 2") < rows.IndexOf("Desk.AnswerAsync 2 1 0 0"), "the most affected prompt comes first");

            var text = await File.ReadAllTextAsync(html);
            Assert.Contains("<h2 id=\"replies\">Replies</h2>", text, StringComparison.Ordinal);
            Assert.Contains("<tr><td>Desk.ClassifyAsync</td><td class=\"n\">3</td><td class=\"n\">0</td><td class=\"n\">3</td><td class=\"n\">2</td></tr>", text, StringComparison.Ordinal);
            Assert.Contains("<tr><td>Desk.AnswerAsync</td><td class=\"n\">2</td><td class=\"n\">1</td><td class=\"n\">0</td><td class=\"n\">0</td></tr>", text, StringComparison.Ordinal);
        }
        finally
        {
            LedgerFile.Delete(ledger);
            File.Delete(html);
        }
    }

    [Fact]
    public async Task A_clean_ledger_says_so()
    {
        var ledger = await LedgerAsync(clean: true);
        var html = Path.Combine(Path.GetTempPath(), "promptops-report-" + Guid.NewGuid().ToString("N") + ".html");
        try
        {
            var run = await Cli.RunAsync("report", ledger, "--html", html);
            Assert.Equal(0, run.Exit);
            Assert.Contains("Replies: no answer cut off, no escalation, no reply that failed validation.", run.Out, StringComparison.Ordinal);
            Assert.DoesNotContain("Replies by prompt", run.Out, StringComparison.Ordinal);
            Assert.Contains("No answer cut off at its output limit, no escalation to a higher tier, no reply that failed validation.", await File.ReadAllTextAsync(html), StringComparison.Ordinal);
        }
        finally
        {
            LedgerFile.Delete(ledger);
            File.Delete(html);
        }
    }
}
