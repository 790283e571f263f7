using System.Diagnostics;
using System.Globalization;
using PromptOps.Tests.Infrastructure;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace PromptOps.Faults.Tests;

/// <summary>
/// "Never overspend under faults": two OS processes (tests/FaultWorker, each one application instance with the default
/// Escrow policy and a $1 daily budget) share one real redis-server while the test injects a fault. After every run:
/// what the fake provider billed is at most $1 (plus, when the provider reports more than the limit it was given, those
/// over-reservations, which are counted); once both processes returned their slices, the Redis day counter equals what
/// the breaker settled — the provider's bills, except a call cancelled before its answer, settled at its worst case —
/// and no lease is left. Faults are injected at explicit gates (the worker stops and waits for a stdin line), never after
/// a delay, and nothing asserts how long anything took. docs/runtime.md, "Fault suite", lists the scenarios.
/// </summary>
[Trait("Needs", "redis")]
public sealed class FaultSuiteTests(ITestOutputHelper output)
{
    private const long BudgetNano = 1_000_000_000; // $1

    public static TheoryData<string, int> Runs()
    {
        var data = new TheoryData<string, int>();
        foreach (var scenario in new[] { "baseline", "stall", "restart", "abandon", "cancel", "overreport", "lostreply" })
        {
            for (var run = 1; run <= 3; run++) data.Add(scenario, run);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public async Task Two_processes_never_overspend_and_the_day_counter_equals_what_was_settled(string scenario, int run)
    {
        var stopwatch = Stopwatch.StartNew(); // reported, never asserted
        var faulty = scenario is "stall" or "restart" or "lostreply";
        using var redis = scenario == "restart" ? RedisServer.Persistent() : new RedisServer();
        using var admin = await ConnectionMultiplexer.ConnectAsync($"{redis.Configuration},allowAdmin=true,abortConnect=false,connectTimeout=5000,syncTimeout=5000,asyncTimeout=5000");
        var prefix = $"faults:{scenario}:{run}:{Guid.NewGuid():N}:";

        // The workers' clock: a fake one (advanced only by the workers themselves, at recovery), on a day in the future so
        // that Redis, which expires keys by its own clock, keeps every key.
        var day = DateTime.UtcNow.Date.AddDays(3);
        var clock = new DateTimeOffset(day.AddHours(10), TimeSpan.Zero).ToUnixTimeMilliseconds();
        var requests = scenario == "baseline" ? 200 : 100;
        var timeoutMs = faulty ? 500 : 2000;
        await using var a = WorkerProcess.Start("a", redis.Port, prefix, scenario, requests, (run * 10) + 1, clock, timeoutMs);
        await using var b = WorkerProcess.Start("b", redis.Port, prefix, scenario, requests, (run * 10) + 2, clock, timeoutMs);
        var notes = new List<string>();
        var hits = new FaultHits();
        if (faulty)
        {
            await Task.WhenAll(a.WaitForAsync("gate inject"), b.WaitForAsync("gate inject"));
            await InjectAsync(scenario, redis, admin, prefix, notes);
            await Task.WhenAll(a.SendAsync("continue"), b.SendAsync("continue"));
            await Task.WhenAll(a.WaitForAsync("gate recover"), b.WaitForAsync("gate recover"));
            await RecoverAsync(scenario, redis, admin, prefix, notes, hits);
            await Task.WhenAll(a.SendAsync("continue"), b.SendAsync("continue"));
        }

        var sa = await a.FinishAsync();
        var sb = await b.FinishAsync();
        var billed = sa.BilledNano + sb.BilledNano;
        var settled = sa.SettledNano + sb.SettledNano;
        var over = sa.OverExpectedNano + sb.OverExpectedNano;
        var (counter, keys) = await DayCounterAsync(admin, redis, prefix);
        var leases = await admin.GetDatabase().SortedSetLengthAsync(prefix + "{budget}:leases");
        var summary = string.Create(CultureInfo.InvariantCulture,
            $"{scenario} run {run}: billed ${billed / 1e9:0.000000000} (limit $1{(over > 0 ? $" + over-reservations ${over / 1e9:0.000000000}" : "")}), settled ${settled / 1e9:0.000000000}, day counter ${counter / 1e9:0.000000000}, leases {leases}, calls {sa.Calls}+{sb.Calls} (drain {sa.Drained}+{sb.Drained}), refusals a {Refusals(sa)} b {Refusals(sb)}{(notes.Count > 0 ? ", " + string.Join(", ", notes) : "")}, {stopwatch.Elapsed.TotalSeconds:0.0} s");
        output.WriteLine(summary);
        var context = $"{summary}\n--- a ---\n{a.Log}\n--- b ---\n{b.Log}";

        // The budget was used — not necessarily by both instances: the one whose burst comes first may spend all of it.
        Assert.True(sa.Bills + sb.Bills > 0, context);

        // The bound: billed ≤ $1 (+ what the provider billed above the calls' reservations, which nothing can prevent).
        Assert.True(billed <= BudgetNano + over, $"overspent: {context}");

        // After recovery and after both returned their slices: one day counter, equal to what was settled; no lease left.
        Assert.True(keys <= 1, $"{keys} day counters: {context}");
        Assert.True(counter == settled, $"counter {counter} != settled {settled} (difference {counter - settled}): {context}");
        Assert.True(leases == 0, $"{leases} leases left: {context}");
        if (scenario != "cancel") Assert.True(settled == billed, context);

        switch (scenario)
        {
            case "stall" or "lostreply":
                // The fault hit the workers: scripts of theirs were waiting in the paused server — or, had a worker already
                // marked Redis down (a timeout before the pause), its requests were refused as the store unavailable.
                Assert.True(hits.Stuck > 0 || sa.Refusals.ContainsKey("budget.store_unavailable") || sb.Refusals.ContainsKey("budget.store_unavailable"),
                    $"the pause held no script and nothing was refused for it: {context}");
                break;
            case "abandon":
                // Every stream was abandoned after 3 chunks, and the breaker's estimate is what the provider billed.
                Assert.True(sa.Abandoned == sa.Bills && sb.Abandoned == sb.Bills, context);
                break;
            case "cancel":
                // Half the calls were cancelled while the provider answered: billed whole by the provider, settled at their
                // worst case by the breaker (it cannot know the bill), so the counter is above the bills, never below.
                Assert.True(sa.Cancelled + sb.Cancelled > 0, context);
                Assert.True(settled >= billed, context);
                break;
            case "overreport":
                // The over-reservations are visible: one metric measurement and one log line (event 3006) per call, for
                // what the provider billed above the reservation.
                Assert.True(sa.OverReported + sb.OverReported > 0, context);
                foreach (var s in new[] { sa, sb })
                {
                    Assert.True(s.OverMetricCount == s.OverReported, $"{s.Name}: metric count {s.OverMetricCount}, over-reported {s.OverReported}: {context}");
                    Assert.True(s.OverLogged == s.OverReported, $"{s.Name}: logged {s.OverLogged}, over-reported {s.OverReported}: {context}");
                    Assert.True(Math.Abs(s.OverMetricNano - s.OverExpectedNano) <= s.OverReported, $"{s.Name}: metric {s.OverMetricNano} nano, expected {s.OverExpectedNano}: {context}");
                }

                break;
        }
    }

    /// <summary>
    /// Budgets per tenant and user (#19) across two processes: 1,500 requests each from 500 users in 20 tenants (a quarter of
    /// them from 5 heavy users), then the drain, with $0.02 a day per user, $0.15 per tenant and $2 for the application.
    /// No user, tenant or the application ends over its limit; each alert (scope, id, window, threshold) is raised once
    /// across both processes; every scope that refused a request raised its 50, 80 and 100 % alerts.
    /// </summary>
    [Fact]
    public async Task Two_processes_keep_every_tenant_and_user_under_its_limit_and_raise_each_alert_once()
    {
        using var redis = new RedisServer();
        using var admin = await ConnectionMultiplexer.ConnectAsync($"{redis.Configuration},allowAdmin=true,abortConnect=false,connectTimeout=5000,syncTimeout=5000,asyncTimeout=5000");
        var prefix = $"faults:scoped:{Guid.NewGuid():N}:";
        var clock = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(3).AddHours(10), TimeSpan.Zero).ToUnixTimeMilliseconds();
        await using var a = WorkerProcess.Start("a", redis.Port, prefix, "scoped", 1500, 101, clock, 2000);
        await using var b = WorkerProcess.Start("b", redis.Port, prefix, "scoped", 1500, 102, clock, 2000);
        var sa = await a.FinishAsync();
        var sb = await b.FinishAsync();
        var context = $"a: {Refusals(sa)}; b: {Refusals(sb)}\n--- a ---\n{a.Log}\n--- b ---\n{b.Log}";

        static Dictionary<string, long> Sum(Dictionary<string, long>? x, Dictionary<string, long>? y) =>
            (x ?? []).Concat(y ?? []).GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Sum(p => p.Value));
        var users = Sum(sa.BilledByUser, sb.BilledByUser);
        var tenants = Sum(sa.BilledByTenant, sb.BilledByTenant);
        var total = sa.BilledNano + sb.BilledNano;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"scoped: billed ${total / 1e9:0.000000} of $2; {users.Count} users (max ${users.Values.Max() / 1e9:0.000000} of $0.02), {tenants.Count} tenants (max ${tenants.Values.Max() / 1e9:0.000000} of $0.15); refusals a {Refusals(sa)} b {Refusals(sb)}; alerts {sa.Alerts!.Length}+{sb.Alerts!.Length}"));

        Assert.True(total <= 2_000_000_000, $"application over its limit: {total}: {context}");
        Assert.All(users, u => Assert.True(u.Value <= 20_000_000, $"user {u.Key} billed {u.Value} nano > $0.02"));
        Assert.All(tenants, t => Assert.True(t.Value <= 150_000_000, $"tenant {t.Key} billed {t.Value} nano > $0.15"));

        // The limits were reached: heavy users were refused by their own limit, and at least one tenant by its limit.
        var refusals = sa.Refusals.Concat(sb.Refusals).GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Sum(p => p.Value));
        Assert.True(refusals.GetValueOrDefault("budget.user.daily") > 0, context);
        Assert.True(refusals.GetValueOrDefault("budget.tenant.daily") + refusals.GetValueOrDefault("budget.daily") > 0, context);

        // Once each: no alert key twice across both processes.
        var alerts = sa.Alerts!.Concat(sb.Alerts!).Select(x => x.Split('/')).ToList();
        var keys = alerts.Select(x => string.Join('/', x[..4])).ToList();
        Assert.True(keys.Count == keys.Distinct().Count(), "alerts raised twice: " + string.Join(", ", keys.GroupBy(k => k).Where(g => g.Count() > 1).Select(g => g.Key)));

        // Every scope that refused raised 50, 80 and 100 % (the 100 % one marked as a refusal), in one process or the other.
        var refusedScopes = alerts.Where(x => x[4] == "refused").Select(x => (x[0], x[1], x[2])).ToList();
        Assert.Contains(refusedScopes, s => s.Item1 == "User");
        foreach (var (scope, id, window) in refusedScopes)
        {
            foreach (var threshold in new[] { "50", "80", "100" })
            {
                Assert.Contains($"{scope}/{id}/{window}/{threshold}", keys);
            }
        }    }

    /// <summary>
    /// A live spend anomaly (#19) across two processes: four simulated hours of the 500-user mix (each process 200 requests
    /// an hour, plus one of user u42), then both start at once: a spike of u42 on process a (one request per simulated
    /// second), and one u42 request every 15 s on b — too little for b to find it alone. The spike is alerted once, by a,
    /// within one simulated minute of its start, and u42 is refused on both processes within that minute (b through the
    /// shared stop set, read every 15 s); no call of u42 sent after a process refused it is billed.
    /// </summary>
    [Fact]
    public async Task Two_processes_alert_a_spike_once_within_a_minute_and_both_stop_its_user()
    {
        using var redis = new RedisServer();
        var prefix = $"faults:anomaly:{Guid.NewGuid():N}:";
        var clock = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(3).AddHours(10), TimeSpan.Zero).ToUnixTimeMilliseconds();
        await using var a = WorkerProcess.Start("a", redis.Port, prefix, "anomaly", 800, 201, clock, 2000);
        await using var b = WorkerProcess.Start("b", redis.Port, prefix, "anomaly", 800, 202, clock, 2000);
        await a.WaitForAsync("gate spike");
        await b.WaitForAsync("gate spike");
        await a.SendAsync("continue");
        await b.SendAsync("continue");
        var sa = await a.FinishAsync();
        var sb = await b.FinishAsync();
        var context = $"--- a ---\n{a.Log}\n--- b ---\n{b.Log}";

        var anomalies = sa.AnomalyAlerts!.Concat(sb.AnomalyAlerts!).Select(x => x.Split('/')).ToList();
        var spike = Assert.Single(anomalies, x => x[0] == "u42");
        Assert.Contains(sa.AnomalyAlerts!, x => x.StartsWith("u42/", StringComparison.Ordinal)); // found by a, not b
        var start = Math.Min(sa.SpikeStartMs, sb.SpikeStartMs);
        var alertedAfter = TimeSpan.FromMilliseconds(long.Parse(spike[1], CultureInfo.InvariantCulture) - start);
        var stoppedA = TimeSpan.FromMilliseconds(sa.SpikeRefusedAtMs - sa.SpikeStartMs);
        var stoppedB = TimeSpan.FromMilliseconds(sb.SpikeRefusedAtMs - sb.SpikeStartMs);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"anomaly: u42 alerted {alertedAfter.TotalSeconds:0} s after the spike started; refused on a after {stoppedA.TotalSeconds:0} s, on b after {stoppedB.TotalSeconds:0} s; u42 billed ${sa.BilledByUser!.GetValueOrDefault("u42") / 1e9:0.0000} on a, ${sb.BilledByUser!.GetValueOrDefault("u42") / 1e9:0.0000} on b; other anomalies: {string.Join(", ", anomalies.Where(x => x[0] != "u42").Select(x => x[0]))}"));

        Assert.True(alertedAfter > TimeSpan.Zero && alertedAfter <= TimeSpan.FromMinutes(1), $"alerted after {alertedAfter}: {context}");
        Assert.True(sa.SpikeRefusedAtMs > 0 && stoppedA <= TimeSpan.FromMinutes(1), $"a stopped u42 after {stoppedA}: {context}");
        Assert.True(sb.SpikeRefusedAtMs > 0 && stoppedB <= TimeSpan.FromMinutes(1), $"b stopped u42 after {stoppedB}: {context}");

        // Once stopped on a process, it stays stopped there: nothing of u42 sent after the first refusal was billed.
        Assert.DoesNotContain(sa.SpikeBilledSentAtMs!, t => t > sa.SpikeRefusedAtMs);
        Assert.DoesNotContain(sb.SpikeBilledSentAtMs!, t => t > sb.SpikeRefusedAtMs);
    }

    /// <summary>The fault, while calls reserved before it are held in the provider (phase B of the worker).</summary>
    private static async Task InjectAsync(string scenario, RedisServer redis, ConnectionMultiplexer admin, string prefix, List<string> notes)
    {
        switch (scenario)
        {
            case "stall" or "lostreply":
                // Writes (and every script) wait in the server until CLIENT UNPAUSE; reads and this connection go on.
                await admin.GetDatabase().ExecuteAsync("CLIENT", "PAUSE", "600000", "WRITE");
                break;
            case "restart":
            {
                var (before, _) = await DayCounterAsync(admin, redis, prefix);
                notes.Add(FormattableString.Invariant($"counter before kill -9 {before}"));
                redis.Kill(); // SIGKILL
                break;
            }
        }
    }

    /// <summary>The recovery, once both workers ran phase C during the fault.</summary>
    private static async Task RecoverAsync(string scenario, RedisServer redis, ConnectionMultiplexer admin, string prefix, List<string> notes, FaultHits hits)
    {
        switch (scenario)
        {
            case "stall":
            {
                // Scripts the workers sent during the stall are still waiting in the server; their callers timed out (their
                // replies will be lost). Unpausing applies them now: the applied-but-unanswered case.
                var stuck = await StuckScriptsAsync(admin);
                notes.Add($"scripts held by the stall {stuck}");
                hits.Stuck = stuck;
                await admin.GetDatabase().ExecuteAsync("CLIENT", "UNPAUSE");
                break;
            }

            case "lostreply":
            {
                // The workers' connections are killed with their scripts in flight (sent, unanswered): the scripts are
                // dropped with the connections, and the callers see a connection failure, not a reply.
                var stuck = await StuckScriptsAsync(admin);
                var killed = (long)await admin.GetDatabase().ExecuteAsync("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes");
                notes.Add($"scripts in flight {stuck}, connections killed {killed}");
                hits.Stuck = stuck;
                Assert.True(killed > 0, "no worker connection to kill");
                await admin.GetDatabase().ExecuteAsync("CLIENT", "UNPAUSE");
                break;
            }

            case "restart":
            {
                redis.Start(); // same port, same AOF directory
                while (!admin.IsConnected) await Task.Delay(20); // a condition: the admin connection is back
                var (after, _) = await DayCounterAsync(admin, redis, prefix);
                notes.Add(FormattableString.Invariant($"after restart {after}"));
                Assert.True(after > 0, "the restarted server lost the day counter (AOF)");
                break;
            }
        }
    }

    /// <summary>Scripts of the workers (clients named fault-*) waiting in the paused server.</summary>
    private static async Task<int> StuckScriptsAsync(ConnectionMultiplexer admin)
    {
        var list = (string)(await admin.GetDatabase().ExecuteAsync("CLIENT", "LIST"))!;
        return list.Split('\n').Count(l => l.Contains(" name=fault-", StringComparison.Ordinal) && l.Contains(" flags=b", StringComparison.Ordinal)
                                          && l.Contains(" cmd=evalsha", StringComparison.Ordinal));
    }

    /// <summary>The sum of the run's day counters (field <c>t</c>) and how many there are.</summary>
    private static async Task<(long Total, int Keys)> DayCounterAsync(ConnectionMultiplexer admin, RedisServer redis, string prefix)
    {
        var server = admin.GetServer("127.0.0.1", redis.Port);
        long total = 0;
        var keys = 0;
        await foreach (var key in server.KeysAsync(pattern: prefix + "{budget}:d:*"))
        {
            keys++;
            total += (long)await admin.GetDatabase().HashGetAsync(key, "t");
        }

        return (total, keys);
    }

    private static string Refusals(WorkerSummary s) =>
        s.Refusals.Count == 0 ? "none" : string.Join(' ', s.Refusals.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));

    /// <summary>What the injected fault hit (for the checks after the run).</summary>
    private sealed class FaultHits
    {
        public int Stuck { get; set; }
    }
}
