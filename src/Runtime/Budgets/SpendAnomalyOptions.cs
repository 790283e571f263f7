using System.Globalization;

namespace PromptOps.Budgets;

/// <summary>
/// Live spend anomalies (<c>PromptOps:Budget:Anomaly</c>): a user whose spend in the current hour is far above their own
/// history. Each instance keeps, per user, the spend of the current UTC hour and an exponentially weighted mean of their
/// past hours (hours without calls count as $0), updated with each settled call — nothing re-reads the ledger.
/// </summary>
public sealed class SpendAnomalyOptions
{
    /// <summary>Watch users' hourly spend. Default: off.</summary>
    public bool Enabled { get; set; }

    /// <summary>An hour is anomalous when its spend is above this multiple of the user's mean hourly spend. Default: 10.</summary>
    public double Factor { get; set; } = 10;

    /// <summary>…and at least this much (USD): small sums are never anomalous. Default: $0.50.</summary>
    public decimal MinHourlyUsd { get; set; } = 0.50m;

    /// <summary>…and the user has at least this many past hours of history (since their first call). Default: 3.</summary>
    public int MinHistoryHours { get; set; } = 3;

    /// <summary>The weight of the last hour in the mean (0–1). Default: 0.2.</summary>
    public double Smoothing { get; set; } = 0.2;

    /// <summary>Refuse the user's requests for the rest of the UTC day once an anomaly is found (<see cref="SpendAnomalyException"/>). Default: off (alert only).</summary>
    public bool StopUser { get; set; }

    /// <summary>Users tracked at most (the least recently seen are forgotten first). Default: 100,000.</summary>
    public int MaxUsers { get; set; } = 100_000;

    /// <summary>The problems with these options; empty when valid.</summary>
    public IEnumerable<string> GetErrors()
    {
        if (!(Factor > 1) || double.IsInfinity(Factor)) yield return string.Create(CultureInfo.InvariantCulture, $"PromptOps:Budget:Anomaly:Factor must be above 1, but is {Factor}.");
        if (MinHourlyUsd < 0) yield return string.Create(CultureInfo.InvariantCulture, $"PromptOps:Budget:Anomaly:MinHourlyUsd must not be negative, but is {MinHourlyUsd}.");
        if (MinHistoryHours < 1) yield return string.Create(CultureInfo.InvariantCulture, $"PromptOps:Budget:Anomaly:MinHistoryHours must be at least 1, but is {MinHistoryHours}.");
        if (!(Smoothing > 0 && Smoothing <= 1)) yield return string.Create(CultureInfo.InvariantCulture, $"PromptOps:Budget:Anomaly:Smoothing must be in (0, 1], but is {Smoothing}.");
        if (MaxUsers < 1) yield return string.Create(CultureInfo.InvariantCulture, $"PromptOps:Budget:Anomaly:MaxUsers must be positive, but is {MaxUsers}.");
    }

    /// <summary>A copy.</summary>
    internal SpendAnomalyOptions Clone() => (SpendAnomalyOptions)MemberwiseClone();
}
