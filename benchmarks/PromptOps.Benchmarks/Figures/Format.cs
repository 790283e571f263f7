using System.Globalization;

namespace PromptOps.Benchmarks.Figures;

/// <summary>How figures are written in the READMEs (invariant culture, one style for every table).</summary>
internal static class Format
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>
    /// A time ratio subject / anchor as the reader wants it: "7.1× faster (6.8–7.4×)" when below 1, "1.3× slower (1.2–1.4×)"
    /// above, with the range over repeats.
    /// </summary>
    public static string Speed(Spread ratio)
    {
        if (ratio.Median <= 1)
        {
            var faster = ratio.Inverse();
            return $"{X(faster.Median)} faster ({Range(faster)})";
        }

        return $"{X(ratio.Median)} slower ({Range(ratio)})";
    }

    /// <summary>A plain ratio with its range: "0.62× (0.58–0.66×)".</summary>
    public static string Ratio(Spread ratio) => $"{X(ratio.Median)} ({Range(ratio)})";

    /// <summary>"6.8–7.4×".</summary>
    public static string Range(Spread s) => string.Create(Invariant, $"{Digits(s.Min)}–{Digits(s.Max)}×");

    /// <summary>"7.1×", with two significant decimals below 10 and one above.</summary>
    public static string X(double ratio) => Digits(ratio) + "×";

    /// <summary>An allocation ratio anchor / subject: "7.5× fewer bytes" (or "1.3× more bytes").</summary>
    public static string Bytes(double anchorBytes, double subjectBytes) =>
        anchorBytes < 1 && subjectBytes < 1 ? "none either"
        : subjectBytes <= anchorBytes
            ? $"{X(anchorBytes / Math.Max(subjectBytes, 1))} fewer bytes"
            : $"{X(subjectBytes / Math.Max(anchorBytes, 1))} more bytes";

    /// <summary>A byte count per operation: "632 B", "1.16 KB", "28.0 MB" (1 KB = 1,024 B, as BenchmarkDotNet writes them).</summary>
    public static string Size(double bytes) => bytes switch
    {
        < 1024 => string.Create(Invariant, $"{bytes:N0} B"),
        < 1024 * 1024 => string.Create(Invariant, $"{bytes / 1024:F2} KB"),
        _ => string.Create(Invariant, $"{bytes / (1024 * 1024):F1} MB"),
    };

    /// <summary>A time per operation in the unit that suits it: "412 ns", "1.48 µs", "61.2 ms", "1.31 s".</summary>
    public static string Time(double seconds) => seconds switch
    {
        < 1e-6 => string.Create(Invariant, $"{seconds * 1e9:N0} ns"),
        < 1e-3 => Unit(seconds * 1e6, "µs"),
        < 1 => Unit(seconds * 1e3, "ms"),
        _ => string.Create(Invariant, $"{seconds:F2} s"),
    };

    /// <summary>Three significant digits: "1.48 µs", "61.2 µs", "412 µs".</summary>
    private static string Unit(double value, string unit) => value switch
    {
        < 10 => string.Create(Invariant, $"{value:F2} {unit}"),
        < 100 => string.Create(Invariant, $"{value:F1} {unit}"),
        _ => string.Create(Invariant, $"{value:F0} {unit}"),
    };

    /// <summary>A time with its range over repeats: "1.48 µs (1.41–1.60)".</summary>
    public static string TimeSpread(Spread s) => $"{Time(s.Median)} ({Time(s.Min)}–{Time(s.Max)})";

    /// <summary>A rate with its range: "258,000 records/s (241,000–270,000)", rounded to thousands.</summary>
    public static string Rate(Spread perSecond, string unit) =>
        string.Create(Invariant, $"{Thousands(perSecond.Median)} {unit}/s ({Thousands(perSecond.Min)}–{Thousands(perSecond.Max)})");

    /// <summary>An integer with thousands separators.</summary>
    public static string Count(double value) => string.Create(Invariant, $"{value:N0}");

    private static string Thousands(double value) => string.Create(Invariant, $"{Math.Round(value / 1000) * 1000:N0}");

    private static string Digits(double value) => value >= 10
        ? value.ToString("F1", Invariant)
        : value.ToString("F2", Invariant);
}
