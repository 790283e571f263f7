using System.Globalization;

namespace PromptOps.Reports;

/// <summary>
/// The cost model of serving the same tokens on rented GPUs. Self-hosted serving runs replicas (one model copy on
/// <see cref="GpusPerReplica"/> GPUs), each always on and billed by the hour whether busy or not. A replica processes
/// input tokens at <see cref="InputTokensPerSecond"/> (prefill) and output tokens at <see cref="OutputTokensPerSecond"/>
/// (decode, summed over the requests it batches); only <see cref="TargetUtilization"/> of its time is usable on average
/// (traffic peaks, headroom). The defaults describe an 8B-parameter model with continuous batching (vLLM-class server) on
/// one 80 GB data-centre GPU rented on demand — orders of magnitude, not a quote: put in your model, GPU and measured
/// throughput. The monthly GPU cost is replicas × GPUs per replica × hourly price × <see cref="HoursPerMonth"/> +
/// <see cref="FixedMonthlyUsd"/>.
/// </summary>
public sealed record GpuCostModel
{
    /// <summary>USD per GPU-hour (default 2.00: an A100/H100-class 80 GB GPU on demand at a GPU cloud; hyperscalers charge more).</summary>
    public decimal GpuHourlyUsd { get; init; } = 2.00m;

    /// <summary>GPUs one replica needs (default 1: an 8B model fits one 80 GB GPU; a 70B model needs 2–4).</summary>
    public int GpusPerReplica { get; init; } = 1;

    /// <summary>Input (prompt) tokens one replica processes per second at full load (default 10,000).</summary>
    public double InputTokensPerSecond { get; init; } = 10_000;

    /// <summary>Output tokens one replica generates per second at full load, over all the requests it batches (default 1,000).</summary>
    public double OutputTokensPerSecond { get; init; } = 1_000;

    /// <summary>The share of a replica's time usable on average, in (0, 1] (default 0.5: peaks need headroom).</summary>
    public double TargetUtilization { get; init; } = 0.5;

    /// <summary>Replicas that run even without load (default 1; 2 for redundancy).</summary>
    public int MinReplicas { get; init; } = 1;

    /// <summary>Fixed monthly cost of running it yourself — operations time, monitoring, storage (default 0: add yours).</summary>
    public decimal FixedMonthlyUsd { get; init; }

    /// <summary>Billed hours per month (default 730 = 365 × 24 ÷ 12).</summary>
    public double HoursPerMonth { get; init; } = 730;

    /// <summary>Every problem with this model, each naming the bad value; empty when valid.</summary>
    public IReadOnlyList<string> GetErrors()
    {
        var errors = new List<string>();
        if (GpuHourlyUsd < 0) errors.Add(string.Create(CultureInfo.InvariantCulture, $"GpuHourlyUsd must not be negative (was {GpuHourlyUsd})."));
        if (GpusPerReplica < 1) errors.Add(string.Create(CultureInfo.InvariantCulture, $"GpusPerReplica must be at least 1 (was {GpusPerReplica})."));
        if (!(InputTokensPerSecond > 0) || double.IsInfinity(InputTokensPerSecond)) errors.Add(string.Create(CultureInfo.InvariantCulture, $"InputTokensPerSecond must be positive (was {InputTokensPerSecond})."));
        if (!(OutputTokensPerSecond > 0) || double.IsInfinity(OutputTokensPerSecond)) errors.Add(string.Create(CultureInfo.InvariantCulture, $"OutputTokensPerSecond must be positive (was {OutputTokensPerSecond})."));
        if (!(TargetUtilization > 0 && TargetUtilization <= 1)) errors.Add(string.Create(CultureInfo.InvariantCulture, $"TargetUtilization must be in (0, 1] (was {TargetUtilization})."));
        if (MinReplicas < 1) errors.Add(string.Create(CultureInfo.InvariantCulture, $"MinReplicas must be at least 1 (was {MinReplicas})."));
        if (FixedMonthlyUsd < 0) errors.Add(string.Create(CultureInfo.InvariantCulture, $"FixedMonthlyUsd must not be negative (was {FixedMonthlyUsd})."));
        if (!(HoursPerMonth > 0 && HoursPerMonth <= 744)) errors.Add(string.Create(CultureInfo.InvariantCulture, $"HoursPerMonth must be in (0, 744] (was {HoursPerMonth})."));
        return errors;
    }
}
