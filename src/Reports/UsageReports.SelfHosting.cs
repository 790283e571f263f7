using PromptOps.Caching;
using PromptOps.Knowledge;
using PromptOps.Usage;

namespace PromptOps.Reports;

public static partial class UsageReports
{
    /// <summary>
    /// Compares the API cost <paramref name="apiMonthlyUsd"/> of <paramref name="monthlyInputTokens"/> +
    /// <paramref name="monthlyOutputTokens"/> per month with serving them on GPUs (<paramref name="gpu"/>, default
    /// <see cref="GpuCostModel"/>'s documented defaults).
    /// </summary>
    public static SelfHostingReport SelfHosting(long monthlyInputTokens, long monthlyOutputTokens, decimal apiMonthlyUsd, GpuCostModel? gpu)
    {
        gpu ??= new GpuCostModel();
        var errors = gpu.GetErrors();
        if (errors.Count > 0) throw new ArgumentException("Invalid GPU cost model: " + string.Join(" ", errors), nameof(gpu));
        ArgumentOutOfRangeException.ThrowIfNegative(monthlyInputTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(monthlyOutputTokens);
        if (apiMonthlyUsd < 0) throw new ArgumentOutOfRangeException(nameof(apiMonthlyUsd), apiMonthlyUsd, "The API cost cannot be negative.");

        var secondsPerReplica = gpu.HoursPerMonth * 3600 * gpu.TargetUtilization;
        var secondsNeeded = (monthlyInputTokens / gpu.InputTokensPerSecond) + (monthlyOutputTokens / gpu.OutputTokensPerSecond);
        var replicas = Math.Max(gpu.MinReplicas, (int)Math.Ceiling((secondsNeeded / secondsPerReplica) - 1e-12));
        var replicaMonthly = gpu.GpuHourlyUsd * gpu.GpusPerReplica * (decimal)gpu.HoursPerMonth;
        var gpuMonthly = (replicas * replicaMonthly) + gpu.FixedMonthlyUsd;
        var utilization = secondsNeeded / (replicas * gpu.HoursPerMonth * 3600);

        var tokens = monthlyInputTokens + monthlyOutputTokens;
        double perReplica = 0;
        long? breakEven = null;
        if (tokens > 0)
        {
            // Per token at this mix: GPU seconds, and the API price.
            var secondsPerToken = ((double)monthlyInputTokens / tokens / gpu.InputTokensPerSecond) + ((double)monthlyOutputTokens / tokens / gpu.OutputTokensPerSecond);
            perReplica = secondsPerReplica / secondsPerToken;
            var price = apiMonthlyUsd / tokens;
            breakEven = BreakEven(price, (decimal)perReplica, replicaMonthly, gpu.FixedMonthlyUsd, gpu.MinReplicas);
        }

        return new SelfHostingReport(monthlyInputTokens, monthlyOutputTokens, apiMonthlyUsd, replicas, gpuMonthly, Math.Min(1, utilization),
            apiMonthlyUsd - gpuMonthly, gpuMonthly < apiMonthlyUsd, perReplica, breakEven, gpu);
    }

    /// <summary>The same comparison with the API cost from <paramref name="price"/> (input at the input price, output at the output price).</summary>
    public static SelfHostingReport SelfHosting(long monthlyInputTokens, long monthlyOutputTokens, ModelPriceInfo price, GpuCostModel? gpu)
    {
        ArgumentNullException.ThrowIfNull(price);
        var api = ((monthlyInputTokens * price.InputPerMillion) + (monthlyOutputTokens * price.OutputPerMillion)) / 1_000_000m;
        return SelfHosting(monthlyInputTokens, monthlyOutputTokens, api, gpu);
    }

    /// <summary>
    /// The comparison for the ledger's own volume: the tokens and cost of priced provider calls (cache hits and unpriced
    /// models left out) over <paramref name="period"/> (default: the ledger's span), scaled to a month of
    /// <see cref="GpuCostModel.HoursPerMonth"/> hours.
    /// </summary>
    public static SelfHostingReport SelfHosting(IEnumerable<UsageRecord> records, GpuCostModel? gpu, ReportPeriod? period)
    {
        ArgumentNullException.ThrowIfNull(records);
        gpu ??= new GpuCostModel();
        long input = 0, output = 0;
        decimal cost = 0m;
        DateOnly? first = null, last = null;
        foreach (var r in In(records, period))
        {
            var day = DayOf(r.Timestamp);
            if (first is null || day < first) first = day;
            if (last is null || day > last) last = day;
            if (r.CacheLayer != CacheLayer.None || r.CostUsd is not { } c) continue;
            input += r.InputTokens;
            output += r.OutputTokens;
            cost += c;
        }

        var range = period ?? (first is { } f && last is { } l ? new ReportPeriod(f, l) : null);
        if (range is not { } p) return SelfHosting(0, 0, 0m, gpu);
        var scale = gpu.HoursPerMonth / 24 / p.Days;
        return SelfHosting((long)Math.Round(input * scale), (long)Math.Round(output * scale), decimal.Round(cost * (decimal)scale, 6), gpu);
    }

    /// <summary>
    /// The smallest volume V with price·V ≥ R·max(m, ⌈V / C⌉) + F, searched step by step (within step k the GPU cost is
    /// k·R + F). None when price·C ≤ R: a full replica then costs at least what the API charges for its tokens.
    /// </summary>
    private static long? BreakEven(decimal price, decimal capacity, decimal replicaMonthly, decimal fixedMonthly, int minReplicas)
    {
        if (price <= 0 || capacity <= 0 || price * capacity <= replicaMonthly) return null;
        var margin = (price * capacity) - replicaMonthly;
        var lastStep = minReplicas + (long)Math.Ceiling((double)(fixedMonthly / margin)) + 1;
        for (long k = minReplicas; k <= lastStep; k++)
        {
            var lower = k == minReplicas ? 0m : (k - 1) * capacity;
            var v = Math.Max(lower, ((k * replicaMonthly) + fixedMonthly) / price);
            if (v <= k * capacity) return (long)Math.Ceiling(v);
        }

        return null;
    }
}
