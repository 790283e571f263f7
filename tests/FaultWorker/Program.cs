using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using PromptOps;
using PromptOps.Budgets;
using PromptOps.FaultWorker;
using PromptOps.Usage;
using StackExchange.Redis;

// One application instance of the fault suite (tests/Faults.Tests/FaultSuiteTests.cs). Arguments:
//   --port <redis port on 127.0.0.1> --prefix <key prefix> --scenario <name> --requests <n> --seed <n> --name <instance>
//   --clock <unix ms: the fake clock's start> [--timeout-ms <Redis operation timeout>]
// Scenarios: baseline, abandon, cancel, overreport (one phase, every request at once); stall, restart, lostreply (four
// phases with two gates where the test injects a fault and then recovers from it); scoped (budgets per tenant and user:
// 500 users in 20 tenants, a few heavy users; $2 a day for the application, $0.15 per tenant, $0.02 per user); anomaly (the
// same mix for four simulated hours, then, after a gate, a spike of user u42: one request per simulated second).
// After the workload, a drain phase runs requests 8 at a time until a whole batch is refused for the budget.
// Stdout: "ready"; "gate inject" / "gate recover" (then it waits for a "continue" line on stdin); "billed <request>
// <nano-dollars> <kind>" per provider bill; "summary <json>" last. Exit code 0 unless something unexpected happened.
var settings = Args.Parse(args);
var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(settings.Clock));
var gates = new Gates();
var bills = new ConcurrentQueue<Bill>();
var cancelGates = new ConcurrentDictionary<int, TaskCompletionSource>();
var provider = new FakeProvider(settings.Seed, settings.Scenario == "overreport" ? 0.3 : 0, gates)
{
    Billed = bill =>
    {
        bills.Enqueue(bill);
        Console.Out.WriteLine(FormattableString.Invariant($"billed {bill.Number} {bill.Nano} {bill.Kind}"));
    },
    CancelGate = n => cancelGates.GetValueOrDefault(n),
};

// The over-reservation metric, as an operator would read it.
long overCount = 0;
double overUsd = 0;
var overLock = new object();
using var listener = new MeterListener();
listener.InstrumentPublished = (instrument, l) =>
{
    if (instrument.Meter.Name == PromptOpsMetrics.MeterName && instrument.Name == "promptops.budget.over_reservation") l.EnableMeasurementEvents(instrument);
};
listener.SetMeasurementEventCallback<double>((_, value, _, _) =>
{
    lock (overLock)
    {
        overCount++;
        overUsd += value;
    }
});
listener.Start();

var loggers = new CountingLoggerFactory();
var retryInterval = TimeSpan.FromSeconds(5);
var services = new ServiceCollection();
services.AddSingleton<TimeProvider>(time);
services.AddSingleton<ILoggerFactory>(loggers);
services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
services.AddPromptOps(o =>
{
    // The client name lets the test find this instance's connection (CLIENT LIST).
    o.Redis.Configuration = FormattableString.Invariant($"127.0.0.1:{settings.Port},name=fault-{settings.Name}");
    o.Redis.KeyPrefix = settings.Prefix;
    o.Redis.OperationTimeout = TimeSpan.FromMilliseconds(settings.TimeoutMs);
    o.Cache.Enabled = false;
    if (settings.Scenario == "anomaly")
    {
        // Generous limits (the anomaly, not a limit, must stop the spike) and live anomalies with the stop.
        o.Budget.DailyLimitUsd = 100m;
        o.Budget.Tenants.Default = new BudgetLimits { DailyLimitUsd = 10m };
        o.Budget.Users.Default = new BudgetLimits { DailyLimitUsd = 1m };
        o.Budget.Anomaly = new SpendAnomalyOptions { Enabled = true, Factor = 10, MinHourlyUsd = 0.02m, MinHistoryHours = 3, StopUser = true };
    }
    else if (settings.Scenario == "scoped")
    {
        o.Budget.DailyLimitUsd = 2m;
        o.Budget.Tenants.Default = new BudgetLimits { DailyLimitUsd = 0.15m };
        o.Budget.Users.Default = new BudgetLimits { DailyLimitUsd = 0.02m };
    }
    else
    {
        o.Budget.DailyLimitUsd = 1m;
    }

    o.BudgetStore.RetryInterval = retryInterval; // the fake clock is advanced past it after a recovery (no real waiting)
    // WhenUnavailable: the default, Escrow.
});
services.AddPromptOpsRedis();
var alerts = new InMemoryBudgetAlertSink();
services.AddSingleton<IBudgetAlertSink>(alerts);
services.AddChatClient(provider).UsePromptOps();
var sp = services.BuildServiceProvider();
var redis = sp.GetRequiredService<IConnectionMultiplexer>();
await WaitConnectedAsync(redis);
var client = sp.GetRequiredService<IChatClient>();
var breaker = client.GetService<CostBudgetChatClient>() ?? throw new InvalidOperationException("No budget breaker in the pipeline.");
var escrow = breaker.Budget.Store as EscrowBudgetStore ?? throw new InvalidOperationException($"The budget store is {breaker.Budget.Store.GetType().Name}, not the escrow (the default policy).");

var refusals = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
const int SpikeBase = 1_000_000;
const string SpikeUser = "u42";
DateTimeOffset? spikeStart = null;
DateTimeOffset? spikeRefusedAt = null;
var spikeSentAt = new ConcurrentDictionary<int, long>();
var errors = new ConcurrentQueue<string>();
var calls = 0;
if (settings.Scenario == "overreport")
{
    // This scenario checks the over-reservation metric against the exact worst cases the provider computes, so its calls
    // wait for the exact tokenizer; in the others a worker's first calls reserve on the byte bound while it loads.
    _ = PromptOps.Tokens.TiktokenTokenCounter.O200k;
}

Console.Out.WriteLine("ready");

var n = settings.Requests;
switch (settings.Scenario)
{
    case "baseline" or "abandon" or "cancel" or "overreport" or "scoped":
        await RunAsync(0, n);
        break;
    case "anomaly":
    {
        // Four ordinary hours: n/4 requests an hour from the mix, and one from the spike user (so they have a history).
        var next = 0;
        for (var hour = 0; hour < 4; hour++)
        {
            await Task.WhenAll(RunAsync(next, n / 4), OneAsync(SpikeRequest(hour)));
            next += n / 4;
            time.Advance(TimeSpan.FromHours(1));
        }

        // The spike, started by both processes at once: each simulated second two requests of the mix and, on instance a, one
        // of the spike user; on b the spike user sends one every 15 s only — too little for b to find the anomaly itself, so b
        // stops the user because a did (the shared stop set).
        // The two processes' fake clocks keep one timeline by following the real clock from the gate, 10× faster (a simulated
        // second every 100 ms): a step that ends early waits for its time, so neither process runs ahead of the other.
        await GateAsync("spike");
        spikeStart = time.GetUtcNow();
        var released = System.Diagnostics.Stopwatch.GetTimestamp();
        for (var second = 0; second < 120; second++)
        {
            var wait = TimeSpan.FromMilliseconds(100 * second) - System.Diagnostics.Stopwatch.GetElapsedTime(released);
            if (wait > TimeSpan.Zero) await Task.Delay(wait);
            time.Advance(TimeSpan.FromSeconds(1));
            var spiking = settings.Name == "a" || second % 15 == 0;
            await Task.WhenAll(spiking ? OneAsync(SpikeRequest(100 + second)) : Task.CompletedTask, RunAsync(next, 2));
            next += 2;
        }

        break;
    }
    case "stall" or "restart" or "lostreply":
    {
        // A: 40% of the requests, healthy.
        var a = n * 2 / 5;
        var b = n / 5;
        var c = n / 5;
        await RunAsync(0, a);

        // B: 20% reserved before the fault and held in the provider across it (settled during the fault).
        gates.Hold();
        var doneB = 0;
        var phaseB = Task.WhenAll(Enumerable.Range(a, b).Select(async i =>
        {
            await OneAsync(i);
            Interlocked.Increment(ref doneB);
        }));
        while (gates.Held + Volatile.Read(ref doneB) < b) await Task.Delay(5);
        await GateAsync("inject");
        gates.Release();
        await phaseB;

        // C: 20% during the fault.
        await RunAsync(a + b, c);
        await GateAsync("recover");

        // D: the rest after recovery. Redis answers again: wait for the connection, then let the clock pass the retry
        // interval so that the next operation probes Redis (and replays what failed).
        await WaitConnectedAsync(redis);
        time.Advance(retryInterval + TimeSpan.FromSeconds(1));
        await RunAsync(a + b + c, n - a - b - c);
        break;
    }

    default:
        throw new ArgumentException($"Unknown scenario '{settings.Scenario}'.");
}

// Drain (not for the anomaly scenario, whose limits are not meant to be reached): 8 requests at a time until a whole batch is refused for the budget (or n more requests), so that the budget is
// really reached and the bound is tested near $1, not far below it.
var drained = 0;
for (var next = n; settings.Scenario != "anomaly" && next < 2 * n; next += 8)
{
    var before = BudgetRefusals();
    await RunAsync(next, 8);
    drained += 8;
    if (BudgetRefusals() - before == 8) break;
}

// Return the slices (what they spent into the shared total, the rest to the budget), then make sure the resilient store
// below has replayed what failed: past its retry interval, a read probes Redis and replays every pending settle.
await escrow.FlushAsync();
for (var i = 0; i < 2; i++)
{
    time.Advance(retryInterval + TimeSpan.FromSeconds(1));
    await breaker.Budget.GetStatusAsync();
}

await sp.DisposeAsync(); // disposes the escrow (nothing left to return) and the connection

var all = bills.ToArray();
long overExpectedNano = all.Where(b => b.Over).Sum(b => b.Nano - b.WorstNano);
var summary = new Dictionary<string, object>
{
    ["name"] = settings.Name,
    ["scenario"] = settings.Scenario,
    ["requests"] = n,
    ["calls"] = calls,
    ["drained"] = drained,
    ["bills"] = all.Length,
    ["billedNano"] = all.Sum(b => b.Nano),
    // What the breaker settles: the bill, except for a call cancelled before its answer, settled at its worst case.
    ["settledNano"] = all.Sum(b => b.Kind == "cancelled" ? b.WorstNano : b.Nano),
    ["cancelled"] = all.Count(b => b.Kind == "cancelled"),
    ["abandoned"] = all.Count(b => b.Kind == "stream-abandoned"),
    ["overReported"] = all.Count(b => b.Over),
    ["overExpectedNano"] = overExpectedNano,
    ["overMetricCount"] = overCount,
    ["overMetricNano"] = (long)Math.Round(overUsd * 1e9),
    ["overLogged"] = loggers.Events.GetValueOrDefault(3006),
    ["refusals"] = refusals.ToDictionary(p => p.Key, p => p.Value),
    // Scoped: what the provider billed per user and per tenant, and every alert this instance raised.
    ["billedByUser"] = settings.Scenario is "scoped" or "anomaly" ? all.GroupBy(b => WhoOf(b.Number).User).ToDictionary(g => g.Key, g => g.Sum(b => b.Nano)) : new Dictionary<string, long>(),
    ["billedByTenant"] = settings.Scenario is "scoped" or "anomaly" ? all.GroupBy(b => WhoOf(b.Number).Tenant).ToDictionary(g => g.Key, g => g.Sum(b => b.Nano)) : new Dictionary<string, long>(),
    ["alerts"] = alerts.Alerts.Select(a => FormattableString.Invariant($"{a.Scope}/{a.ScopeId}/{a.Window}/{a.ThresholdPercent}/{(a.Refused ? "refused" : "crossed")}")).ToArray(),
    ["errors"] = errors.ToArray(),
    // Anomaly: when the spike started (simulated ms), this instance's anomaly alerts (user/at ms), its first refusal of the
    // spike user (ms), and the spike user's calls billed here with when each was sent (ms).
    ["spikeStartMs"] = spikeStart?.ToUnixTimeMilliseconds() ?? 0,
    ["anomalyAlerts"] = alerts.Alerts.Where(a => a.Kind == BudgetAlertKind.Anomaly).Select(a => FormattableString.Invariant($"{a.ScopeId}/{a.At.ToUnixTimeMilliseconds()}")).ToArray(),
    ["spikeRefusedAtMs"] = spikeRefusedAt?.ToUnixTimeMilliseconds() ?? 0,
    ["spikeBilledSentAtMs"] = all.Where(b => spikeSentAt.ContainsKey(b.Number)).Select(b => spikeSentAt[b.Number]).Order().ToArray(),
};
Console.Out.WriteLine("summary " + JsonSerializer.Serialize(summary));
return errors.IsEmpty ? 0 : 1;

int BudgetRefusals() => refusals.Where(p => p.Key.StartsWith("budget.", StringComparison.Ordinal)).Sum(p => p.Value);

async Task RunAsync(int first, int count) => await Task.WhenAll(Enumerable.Range(first, count).Select(OneAsync));

// Anomaly: request numbers of the spike user start at SpikeBase (apart from the mix's numbers).
int SpikeRequest(int k) => SpikeBase + k;

(string Tenant, string User) WhoOf(int i) => i >= SpikeBase ? ("t2", SpikeUser) : SubjectOf(i);

async Task OneAsync(int i)
{
    await Task.Yield();
    if (i >= SpikeBase) spikeSentAt[i] = time.GetUtcNow().ToUnixTimeMilliseconds();
    List<ChatMessage> messages = [new(ChatRole.User, FormattableString.Invariant($"Request {i}: summarise the state of budget number {i * 7919 % 1000} for {settings.Name}."))];
    var options = new ChatOptions { ModelId = FakeProvider.Model, MaxOutputTokens = 1000 };
    if (settings.Scenario is "scoped" or "anomaly")
    {
        var (tenant, user) = WhoOf(i);
        options = new ChatOptions { ModelId = FakeProvider.Model, MaxOutputTokens = 200 }.WithPromptOps(new PromptOpsMetadata { TenantId = tenant, UserId = user });
    }

    try
    {
        switch (settings.Scenario)
        {
            case "abandon":
            {
                // The caller stops reading after 3 chunks.
                var read = 0;
                await foreach (var _ in client.GetStreamingResponseAsync(messages, options))
                {
                    if (++read == 3) break;
                }

                break;
            }

            case "cancel" when i % 2 == 1:
            {
                // Half of the calls are cancelled once they reached the provider (while it answers).
                var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                cancelGates[i] = reached;
                using var cts = new CancellationTokenSource();
                var call = client.GetResponseAsync(messages, options, cts.Token);
                if (await Task.WhenAny(call, reached.Task) == reached.Task) await cts.CancelAsync();
                try
                {
                    await call;
                }
                catch (OperationCanceledException) when (cts.IsCancellationRequested)
                {
                }

                break;
            }

            default:
                await client.GetResponseAsync(messages, options);
                break;
        }

        Interlocked.Increment(ref calls);
    }
    catch (PromptOpsLimitException e)
    {
        if (e is SpendAnomalyException && e.UserId == SpikeUser) lock (refusals) spikeRefusedAt ??= time.GetUtcNow();
        refusals.AddOrUpdate(e.LimitName, 1, (_, v) => v + 1);
    }
    catch (Exception e)
    {
        errors.Enqueue($"request {i}: {e.GetType().Name}: {e.Message}");
        Console.Error.WriteLine($"request {i}: {e}");
    }
}

// Scoped: who request i is for. A quarter of the requests come from 5 heavy users; the rest from 500 users; user u
// belongs to tenant u % 20. Seeded per instance, so the two processes send different mixes.
(string Tenant, string User) SubjectOf(int i)
{
    var random = new Random(unchecked((settings.Seed * 1_000_003) + i));
    var user = random.Next(4) == 0 ? random.Next(5) : random.Next(500);
    return (FormattableString.Invariant($"t{user % 20}"), FormattableString.Invariant($"u{user}"));
}

static async Task GateAsync(string name)
{
    Console.Out.WriteLine("gate " + name);
    var line = await Console.In.ReadLineAsync();
    if (line != "continue") throw new InvalidOperationException($"Expected 'continue' at gate {name}, got '{line}'.");
}

static async Task WaitConnectedAsync(IConnectionMultiplexer redis)
{
    // A condition, not a duration: the connection is up, and a PING answers.
    while (true)
    {
        if (redis.IsConnected)
        {
            try
            {
                await redis.GetDatabase().PingAsync();
                return;
            }
            catch (RedisException)
            {
            }
        }

        await Task.Delay(20);
    }
}

internal sealed record Args(int Port, string Prefix, string Scenario, int Requests, int Seed, string Name, long Clock, int TimeoutMs)
{
    public static Args Parse(string[] args)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2) map[args[i].TrimStart('-')] = args[i + 1];
        string Get(string key) => map.TryGetValue(key, out var v) ? v : throw new ArgumentException($"--{key} is required.");
        return new Args(
            int.Parse(Get("port"), CultureInfo.InvariantCulture),
            Get("prefix"),
            Get("scenario"),
            int.Parse(Get("requests"), CultureInfo.InvariantCulture),
            int.Parse(Get("seed"), CultureInfo.InvariantCulture),
            Get("name"),
            long.Parse(Get("clock"), CultureInfo.InvariantCulture),
            map.TryGetValue("timeout-ms", out var t) ? int.Parse(t, CultureInfo.InvariantCulture) : 1000);
    }
}
