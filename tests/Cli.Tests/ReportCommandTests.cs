using System.Diagnostics;

namespace PromptOps.Cli.Tests;

[Trait("Needs", "chromium")]
public sealed class ReportCommandTests : IAsyncLifetime
{
    private string _ledger = "";

    public async Task InitializeAsync() => _ledger = await LedgerFile.CreateAsync();

    public Task DisposeAsync()
    {
        LedgerFile.Delete(_ledger);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task The_report_shows_totals_daily_rows_breakdowns_pareto_peak_hour_and_anomalies()
    {
        var run = await Cli.RunAsync("report", _ledger);
        Assert.True(run.Exit == 0, run.Err);
        var o = run.Out;
        Assert.Contains("2026-11-01 to 2026-11-10 (10 days)", o, StringComparison.Ordinal);
        Assert.Contains("45 requests, spent $5.4000, saved by the cache $0.1000, cache-hit rate 22.2 %", o, StringComparison.Ordinal);
        // The 10 cache hits are not provider calls, and their tokens were not billed: shown apart.
        Assert.Contains("35 provider calls; tokens billed 3,500 in / 350 out; served from cache (not billed) 1,000 in / 100 out; 0 escalations.", o, StringComparison.Ordinal);
        Assert.Equal(["2026-11-08", "9", "11.1 %", "5.0400", "0.0100", "gpt-4o"], EstimateAndPricesTests.Row(o, "2026-11-08"));
        Assert.Equal(["2026-11-01", "4", "25.0 %", "0.0400", "0.0100", "gpt-4o-mini"], EstimateAndPricesTests.Row(o, "2026-11-01"));
        Assert.Contains("Daily cost ($)", o, StringComparison.Ordinal);
        Assert.Equal(["export", "5", "500", "50", "0", "0", "5.0000", "92.6 %", "0.0 %"], EstimateAndPricesTests.Row(o, "export"));
        Assert.Contains("the top 1 of 3 users (20%) account for 92.6 %", o, StringComparison.Ordinal);
        Assert.Contains("Peak hour (UTC): 22:00–22:59, 5 requests, $5.0000.", o, StringComparison.Ordinal);
        Assert.Contains("daily mean $0.5400, σ $1.5000, threshold $3.5400; 1 spike day(s) overall, 1 user(s) with spikes.", o, StringComparison.Ordinal);
        Assert.Contains("2026-11-08 $5.0400 (z = 3.0, +$4.5000 over the mean)", o, StringComparison.Ordinal);
        Assert.Contains("user carol: 2026-11-08 $5.0000 (z = 3.0; their mean $0.5000)", o, StringComparison.Ordinal);
        Assert.DoesNotContain("Budget pace", o, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Budget_pace_and_unit_economics_are_added_on_request()
    {
        // As of 2026-11-15 00:00: 14 of 30 days → linear pace $6 × 14/30 = $2.80; $5.40 / $2.80 = 1.93 → critical.
        // Revenue $20: AI cost 27.0 % of revenue, gross margin 73.0 % → healthy (≥ 70%).
        var run = await Cli.RunAsync("report", _ledger, "--budget", "6", "--as-of", "2026-11-15T00:00:00Z", "--revenue", "20");
        Assert.True(run.Exit == 0, run.Err);
        Assert.Contains("spent $5.40 of $6.00; linear pace $2.80; ratio 1.93× → Critical", run.Out, StringComparison.Ordinal);
        Assert.Contains("automatic downgrade", run.Out, StringComparison.Ordinal);
        Assert.Contains("AI cost $5.40 (27.0 % of revenue)", run.Out, StringComparison.Ordinal);
        Assert.Contains("gross margin 73.0 % → Healthy", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task One_user_and_a_period()
    {
        var run = await Cli.RunAsync("report", _ledger, "--user", "carol");
        Assert.True(run.Exit == 0, run.Err);
        Assert.Contains("User carol: 5 requests on 1 active day(s), $5.0000", run.Out, StringComparison.Ordinal);

        var period = await Cli.RunAsync("report", _ledger, "--from", "2026-11-01", "--to", "2026-11-02");
        Assert.True(period.Exit == 0, period.Err);
        Assert.Contains("8 requests, spent $0.0800", period.Out, StringComparison.Ordinal);
        Assert.Contains("Anomalies: not evaluated (2 days; at least 7 are needed).", period.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_input_gives_one_line()
    {
        Assert.Contains("no such file", Cli.AssertOneLineError(await Cli.RunAsync("report", "/nonexistent/ledger.db"), 1), StringComparison.Ordinal);
        var text = Cli.TempFile("this is not a database, just text that is long enough to have a header of some kind........");
        try
        {
            Assert.Contains("not a PromptOps ledger", Cli.AssertOneLineError(await Cli.RunAsync("report", text), 1), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(text);
        }

        Assert.Contains("--from must be a date", Cli.AssertOneLineError(await Cli.RunAsync("report", _ledger, "--from", "yesterday"), 2), StringComparison.Ordinal);
        Assert.Contains("--to is before --from", Cli.AssertOneLineError(await Cli.RunAsync("report", _ledger, "--from", "2026-11-05", "--to", "2026-11-01"), 2), StringComparison.Ordinal);
        Assert.Contains("no record of user 'dave'", Cli.AssertOneLineError(await Cli.RunAsync("report", _ledger, "--user", "dave"), 1), StringComparison.Ordinal);
        Assert.Contains("--budget must be a positive", Cli.AssertOneLineError(await Cli.RunAsync("report", _ledger, "--budget", "0"), 2), StringComparison.Ordinal);
        Assert.Contains("cannot write '/nonexistent/r.html'", Cli.AssertOneLineError(await Cli.RunAsync("report", _ledger, "--html", "/nonexistent/r.html"), 1), StringComparison.Ordinal);
        Cli.AssertOneLineError(await Cli.RunAsync("report"), 2);
    }

    [Fact]
    public async Task The_html_report_renders_its_charts_in_headless_chromium()
    {
        var html = Path.Combine(Path.GetTempPath(), "promptops-report-" + Guid.NewGuid().ToString("N") + ".html");
        var profile = Directory.CreateTempSubdirectory("promptops-chromium-").FullName;
        try
        {
            var run = await Cli.RunAsync("report", _ledger, "--budget", "6", "--as-of", "2026-11-15T00:00:00Z", "--html", html);
            Assert.True(run.Exit == 0, run.Err);
            var text = await File.ReadAllTextAsync(html);
            Assert.DoesNotContain("http://", text, StringComparison.Ordinal);  // self-contained: nothing to fetch
            Assert.DoesNotContain("https://", text, StringComparison.Ordinal);
            Assert.Contains("92.6 %", text, StringComparison.Ordinal);
            // 45 requests: 35 provider calls of 100 in / 10 out, 10 cache hits of the same size, shown apart.
            Assert.Contains("tokens billed (in / out)<b>3,500 / 350</b>", text, StringComparison.Ordinal);
            Assert.Contains("tokens served from cache (in / out)<b>1,000 / 100</b>", text, StringComparison.Ordinal);

            var dom = await Chromium.DumpDomAsync(html, profile);
            // Four charts laid out at full width; 10 daily bars + 3 model bars + 24 hourly bars, every one with a size.
            Assert.Contains("data-check=\"charts=4;wide-charts=4;bars=37;visible-bars=37\"", dom, StringComparison.Ordinal);
            Assert.Contains("<b class=\"bad\">Critical</b>", dom, StringComparison.Ordinal);
            Assert.Contains("class=\"bar spike\"", dom, StringComparison.Ordinal); // the spike day is drawn in red
        }
        finally
        {
            File.Delete(html);
            Directory.Delete(profile, recursive: true);
        }
    }
}

/// <summary>Debian's headless Chromium (test.sh installs it; in CI a missing browser fails the test).</summary>
internal static class Chromium
{
    public static async Task<string> DumpDomAsync(string file, string profile)
    {
        var exe = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException(
                "Chromium is not installed: `sudo apt-get install -y chromium` (./test.sh does that), or leave this test out with --filter \"Needs!=chromium\".");
        var start = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[]
                 {
                     "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile, "--virtual-time-budget=2000",
                     "--dump-dom", new Uri(file).AbsoluteUri,
                 })
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(cts.Token);
        var dom = await stdout;
        Assert.True(process.ExitCode == 0 && dom.Length > 0, $"chromium failed ({process.ExitCode}): {await stderr}");
        return dom;
    }
}
