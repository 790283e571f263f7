using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Xunit.Abstractions;
using PromptOps.Batching.Tests.Infrastructure;
using PromptOps.Pricing;
using PromptOps.Routing.Batching;
using PromptOps.Tests.Shared;

namespace PromptOps.Batching.Tests;

/// <summary>
/// The issue's goal (#18): a deferrable workload of 1,000 items completes through the loopback batch server across a
/// restart of the process — a BatchWorker process submits every item and receives the first batches' answers, is killed
/// with six batches in flight, and a second process resumes them from the SQLite ledger (one batch expires half-done and
/// some items fail once, so they are retried) — with every result delivered once and priced at the batch rate.
/// </summary>
public sealed class RestartTests(ITestOutputHelper output) : BatchServerTest("batch-restart")
{
    private static readonly string WorkerPath = typeof(RestartTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "BatchWorkerPath").Value!;

    [Theory]
    [InlineData(BatchProviderKind.OpenAI)]
    [InlineData(BatchProviderKind.Anthropic)]
    public async Task A_thousand_deferrable_items_complete_across_a_restart_each_delivered_once_at_the_batch_rate(BatchProviderKind provider)
    {
        const int Items = 1000, BatchSize = 100, Released = 4;
        var db = Path.Combine(Dir, "ledger.db");
        var failuresOn = false;
        Server.ReleasedBelow = Released;
        // After the restart: a tenth of the items fail once with a server error, and batch 5 expires half-done.
        Server.Fate = (text, attempt) => Volatile.Read(ref failuresOn) && attempt == 1 && text.EndsWith('7') ? ItemFate.ServerError : ItemFate.Succeed;
        Server.Ending = n => n == 5 ? BatchEnding.Expire : BatchEnding.Complete;

        var delivered = new List<(string Key, string Via, string Text)>();
        long retried;
        await using (var first = Worker.Start("submit", provider, Server.BaseAddress, db, Items, BatchSize))
        {
            var lines = await first.ReadUntilAsync(seen => seen.Contains("submitted") && seen.Count(l => l.StartsWith("caller ", StringComparison.Ordinal)) == Released * BatchSize);
            delivered.AddRange(lines.Where(l => l.StartsWith("caller ", StringComparison.Ordinal)).Select(l => Parse(l, "caller")));
            first.Kill(); // a crash: no dispose, no flush
        }

        Assert.Equal(Items / BatchSize, Server.BatchesCreated);
        Volatile.Write(ref failuresOn, true);
        Server.ReleasedBelow = int.MaxValue;
        await using (var second = Worker.Start("resume", provider, Server.BaseAddress, db, 0, BatchSize))
        {
            var lines = await second.ReadUntilAsync(seen => seen.Any(l => l.StartsWith("summary ", StringComparison.Ordinal)));
            await second.WaitForExitAsync();
            delivered.AddRange(lines.Where(l => l.StartsWith("handler ", StringComparison.Ordinal)).Select(l => Parse(l, "handler")));
            var stats = JsonSerializer.Deserialize<ProviderBatchStatistics>(lines.Single(l => l.StartsWith("summary ", StringComparison.Ordinal))["summary ".Length..])!;
            Assert.Equal(Items - Released * BatchSize, stats.DeliveredToHandler);
            Assert.True(stats.ItemsRetried >= BatchSize / 2, $"the expired half of batch 5 and the failed items are retried ({stats.ItemsRetried})");
            Assert.Equal(0, stats.ItemsFailed);
            retried = stats.ItemsRetried;
        }

        // Every item delivered exactly once, with its own answer: 400 to the callers of the first process, 600 to the handler of the second.
        Assert.Equal(Items, delivered.Count);
        Assert.Equal(Enumerable.Range(0, Items).Select(i => $"item-{i}").Order(), delivered.Select(d => d.Key).Order());
        Assert.All(delivered, d => Assert.Equal("answer to: question " + d.Key["item-".Length..], d.Text));
        Assert.Equal(Released * BatchSize, delivered.Count(d => d.Via == "caller"));
        Assert.All(Server.Answered.Values, n => Assert.Equal(1, n)); // and answered once by the provider

        // The ledger: one success per item, each priced at the batch rate; every item delivered, as recorded.
        var model = provider == BatchProviderKind.Anthropic ? "claude-haiku-4-5" : "gpt-4o-mini";
        var cached = provider == BatchProviderKind.Anthropic ? 40 : 0;
        var batchCost = new PriceCatalog().Cost(model, 100, cached, 10, batch: true).Usd!.Value;
        var pico = decimal.Round(batchCost * 1_000_000_000_000m).ToString("0", CultureInfo.InvariantCulture); // the ledger's picodollars
        Assert.Equal($"{Items}|{Items}", Scalar(db, $"SELECT count(*) || '|' || sum(cost_pusd = {pico}) FROM usage_records WHERE outcome = 0"));
        Assert.Equal("0", Scalar(db, "SELECT count(*) FROM usage_records WHERE outcome <> 0"));
        Assert.Equal($"{Released * BatchSize}|{Items - Released * BatchSize}",
            Scalar(db, "SELECT sum(delivered_to = 'caller') || '|' || sum(delivered_to = 'handler') FROM provider_batch_items WHERE state = 3"));
        Assert.Equal(Items.ToString(CultureInfo.InvariantCulture), Scalar(db, "SELECT count(*) FROM provider_batch_items"));
        Assert.Equal("0", Scalar(db, "SELECT count(*) FROM provider_batches WHERE ended = 0"));
        var fullCost = new PriceCatalog().Cost(model, 100, cached, 10).Usd!.Value;
        output.WriteLine(FormattableString.Invariant(
            $"{provider}: {Items} items, {Server.BatchesCreated} batches ({Items / BatchSize} before the kill, the rest retries), {retried} item retries, ") +
            FormattableString.Invariant($"{delivered.Count(d => d.Via == "caller")} delivered to callers before the kill, {delivered.Count(d => d.Via == "handler")} to the handler after it, ") +
            FormattableString.Invariant($"ledger ${decimal.Parse(Scalar(db, "SELECT sum(cost_pusd) FROM usage_records"), CultureInfo.InvariantCulture) / 1_000_000_000_000m:0.000000} (full price ${Items * fullCost:0.000000})"));

        // The README's table (figures:provider-batches; the batch count varies by one or two with which items land in
        // the held batches, so the README is not checked here).
        var ledger = decimal.Parse(Scalar(db, "SELECT sum(cost_pusd) FROM usage_records"), CultureInfo.InvariantCulture) / 1_000_000_000_000m;
        var label = provider == BatchProviderKind.Anthropic ? $"Anthropic ({model}, {cached} of the 100 input tokens cache reads)" : $"OpenAI ({model})";
        ReadmeFigure.Print(output, "provider-batches",
            ("0", "| provider (model) | batches | delivered before / after the kill | ledger | at full price |"),
            ("1", "|---|---:|---:|---:|---:|"),
            (provider == BatchProviderKind.OpenAI ? "2" : "3", FormattableString.Invariant(
                $"| {label} | {Server.BatchesCreated} | {delivered.Count(d => d.Via == "caller")} / {delivered.Count(d => d.Via == "handler")} | ${ledger:0.000000} | ${Items * fullCost:0.000000} |")));
    }

    private static (string Key, string Via, string Text) Parse(string line, string via)
    {
        // "caller item-7 answer to: question 7" / "handler item-7 ok answer to: question 7"
        var parts = line.Split(' ', 3);
        var text = parts[2];
        if (via == "handler")
        {
            Assert.StartsWith("ok ", text, StringComparison.Ordinal);
            text = text["ok ".Length..];
        }

        return (parts[1], via, text);
    }

    /// <summary>One BatchWorker process (built before the tests, run with <c>dotnet</c>), read line by line.</summary>
    private sealed class Worker : IAsyncDisposable
    {
        private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(120); // a hung worker fails with its output; nothing is asserted about time
        private readonly Process _process;
        private readonly List<string> _lines = [];
        private readonly StringBuilder _log = new();
        private readonly SemaphoreSlim _arrived = new(0);

        private Worker(Process process)
        {
            _process = process;
            process.OutputDataReceived += (_, e) => Add(e.Data, stdout: true);
            process.ErrorDataReceived += (_, e) => Add(e.Data, stdout: false);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public static Worker Start(string mode, BatchProviderKind provider, Uri server, string db, int items, int batchSize)
        {
            if (!File.Exists(WorkerPath)) throw new FileNotFoundException($"The batch worker is not built at {WorkerPath}: build tests/Batching.Tests first.", WorkerPath);
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(WorkerPath);
            foreach (var (key, value) in new[] { ("mode", mode), ("provider", provider.ToString()), ("base", server.ToString()), ("db", db),
                         ("items", items.ToString(CultureInfo.InvariantCulture)), ("batch-size", batchSize.ToString(CultureInfo.InvariantCulture)) })
            {
                start.ArgumentList.Add("--" + key);
                start.ArgumentList.Add(value);
            }

            start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            start.Environment["DOTNET_NOLOGO"] = "1";
            return new Worker(Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start"));
        }

        private void Add(string? line, bool stdout)
        {
            if (line is null) return;
            lock (_lines)
            {
                _log.AppendLine((stdout ? "" : "[err] ") + line);
                if (stdout) _lines.Add(line);
            }

            _arrived.Release();
        }

        /// <summary>Waits until the lines so far satisfy <paramref name="done"/>; returns them.</summary>
        public async Task<List<string>> ReadUntilAsync(Func<List<string>, bool> done)
        {
            var deadline = DateTime.UtcNow + HangGuard;
            while (true)
            {
                List<string> seen;
                lock (_lines) seen = [.. _lines];
                if (done(seen)) return seen;
                if (_process.HasExited && !await _arrived.WaitAsync(TimeSpan.FromMilliseconds(200)))
                {
                    lock (_lines) seen = [.. _lines];
                    if (done(seen)) return seen;
                    throw new InvalidOperationException($"The worker exited with {_process.ExitCode} early:\n{Log}");
                }

                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero) throw new TimeoutException($"The worker did not get there within the hang guard:\n{Log}");
                await _arrived.WaitAsync(left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1));
            }
        }

        public async Task WaitForExitAsync()
        {
            using var guard = new CancellationTokenSource(HangGuard);
            await _process.WaitForExitAsync(guard.Token);
            Assert.True(_process.ExitCode == 0, $"The worker exited with {_process.ExitCode}:\n{Log}");
        }

        public void Kill()
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        private string Log
        {
            get
            {
                lock (_lines) return _log.ToString();
            }
        }

        public ValueTask DisposeAsync()
        {
            if (!_process.HasExited) Kill();
            _process.Dispose();
            _arrived.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
