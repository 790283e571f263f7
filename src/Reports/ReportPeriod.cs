namespace PromptOps.Reports;

/// <summary>An inclusive range of UTC calendar days that a report covers.</summary>
public readonly record struct ReportPeriod
{
    /// <summary>Creates the period <paramref name="from"/> … <paramref name="to"/> (both included).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="to"/> is before <paramref name="from"/>.</exception>
    public ReportPeriod(DateOnly from, DateOnly to)
    {
        if (to < from) throw new ArgumentOutOfRangeException(nameof(to), to, $"The period ends ({to:yyyy-MM-dd}) before it starts ({from:yyyy-MM-dd}).");
        From = from;
        To = to;
    }

    /// <summary>The first day (UTC).</summary>
    public DateOnly From { get; }

    /// <summary>The last day (UTC), included.</summary>
    public DateOnly To { get; }

    /// <summary>The number of days, both ends included.</summary>
    public int Days => To.DayNumber - From.DayNumber + 1;

    /// <summary>True when <paramref name="day"/> is in the period.</summary>
    public bool Contains(DateOnly day) => day >= From && day <= To;

    /// <summary>True when <paramref name="timestamp"/> falls on a day of the period (UTC).</summary>
    public bool Contains(DateTimeOffset timestamp) => Contains(UsageReports.DayOf(timestamp));

    /// <summary>The days of the period, in order.</summary>
    public IEnumerable<DateOnly> EachDay()
    {
        for (var d = From; d <= To; d = d.AddDays(1)) yield return d;
    }

    /// <summary>A single day.</summary>
    public static ReportPeriod Day(DateOnly day) => new(day, day);

    /// <summary>The calendar month (UTC) of <paramref name="year"/>/<paramref name="month"/>.</summary>
    public static ReportPeriod Month(int year, int month)
    {
        var first = new DateOnly(year, month, 1);
        return new(first, first.AddMonths(1).AddDays(-1));
    }

    /// <inheritdoc />
    public override string ToString() => $"{From:yyyy-MM-dd}..{To:yyyy-MM-dd}";
}
