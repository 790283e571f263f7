namespace PromptOps.Budgets;

/// <summary>
/// Per-user hourly spend against the user's own history, updated incrementally on each settled call (see
/// <see cref="SpendAnomalyOptions"/>). Thread-safe; memory is bounded by <see cref="SpendAnomalyOptions.MaxUsers"/>.
/// </summary>
internal sealed class SpendAnomalyDetector(SpendAnomalyOptions options)
{
    private readonly object _gate = new();
    private readonly Dictionary<string, UserSpend> _users = new(StringComparer.Ordinal);

    /// <summary>Adds a settled call's cost; returns the anomaly when this call made the user's hour anomalous (once per user and hour).</summary>
    public SpendAnomaly? Record(string userId, decimal usd, DateTimeOffset now)
    {
        var hour = now.UtcTicks / TimeSpan.TicksPerHour;
        lock (_gate)
        {
            if (!_users.TryGetValue(userId, out var user))
            {
                if (_users.Count >= options.MaxUsers) Forget();
                _users[userId] = user = new UserSpend { Hour = hour, FirstHour = hour };
            }

            Roll(user, hour);
            user.Current += usd;
            user.LastSeen = hour;
            if (user.Flagged || user.Hour - user.FirstHour < options.MinHistoryHours) return null;
            var ceiling = (decimal)options.Factor * user.Mean;
            if (user.Current < options.MinHourlyUsd || user.Current <= ceiling) return null;
            user.Flagged = true;
            if (options.StopUser)
            {
                user.StoppedUntilDay = now.UtcTicks / TimeSpan.TicksPerDay;
                user.StoppedHourUsd = user.Current;
                user.StoppedMean = user.Mean;
            }

            return new SpendAnomaly(userId, user.Current, ceiling, user.Mean);
        }
    }

    /// <summary>The anomaly that stopped <paramref name="userId"/> today, if any.</summary>
    public SpendAnomaly? StoppedToday(string userId, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (!_users.TryGetValue(userId, out var user) || user.StoppedUntilDay != now.UtcTicks / TimeSpan.TicksPerDay) return null;
            return new SpendAnomaly(userId, user.StoppedHourUsd, (decimal)options.Factor * user.StoppedMean, user.StoppedMean);
        }
    }

    /// <summary>Folds the finished hours into the mean: the current hour's spend, then one $0 hour per hour without calls.</summary>
    private void Roll(UserSpend user, long hour)
    {
        if (hour <= user.Hour) return;

        var a = (decimal)options.Smoothing;
        user.Mean = (a * user.Current) + ((1 - a) * user.Mean);
        var empty = Math.Min(hour - user.Hour - 1, 24 * 60); // beyond that the mean is ~0 anyway
        for (var i = 0; i < empty; i++) user.Mean *= 1 - a;
        user.Current = 0;
        user.Flagged = false;
        user.Hour = hour;
    }

    private void Forget()
    {
        var oldest = _users.OrderBy(p => p.Value.LastSeen).Take(Math.Max(1, _users.Count / 10)).Select(p => p.Key).ToList();
        foreach (var key in oldest) _users.Remove(key);
    }

    private sealed class UserSpend
    {
        public long Hour;
        public long FirstHour;
        public long LastSeen;
        public decimal Current;
        public decimal Mean;
        public bool Flagged;
        public long StoppedUntilDay = -1;
        public decimal StoppedHourUsd;
        public decimal StoppedMean;
    }
}
