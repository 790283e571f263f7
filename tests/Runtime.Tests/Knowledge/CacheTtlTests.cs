using PromptOps.Knowledge;

namespace PromptOps.Tests.Knowledge;

public class CacheTtlTests
{
    [Theory]
    [InlineData("static", 30 * 24 * 60)]
    [InlineData("static_knowledge", 30 * 24 * 60)]
    [InlineData("semi-static", 7 * 24 * 60)]
    [InlineData("semi_static", 7 * 24 * 60)]
    [InlineData("daily", 24 * 60)]
    [InlineData("daily_update", 24 * 60)]
    [InlineData("realtime", 5)]
    [InlineData("real_time", 5)]
    [InlineData("00:10:00", 10)]
    [InlineData("10m", 10)]
    [InlineData("2h", 120)]
    [InlineData("7d", 7 * 24 * 60)]
    [InlineData("90s", 1.5)]
    [InlineData("1.5h", 90)]
    [InlineData(" 1.00:00:00 ", 24 * 60)]
    public void Names_and_spans_parse(string text, double minutes)
    {
        Assert.True(CacheTtl.TryParse(text, out var ttl, out var error), error);
        Assert.Equal(TimeSpan.FromMinutes(minutes), ttl.Duration);
        Assert.False(ttl.IsNone);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("no_cache")]
    [InlineData("NoCache")]
    public void None_disables_caching(string text)
    {
        var ttl = CacheTtl.Parse(text);
        Assert.True(ttl.IsNone);
        Assert.Equal(CacheTtl.None, ttl);
    }

    [Theory]
    [InlineData("forever", "is not a cache TTL")]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    [InlineData("-00:01:00", "not positive")]
    [InlineData("0m", "not positive")]
    [InlineData("00:00:00", "not positive")]
    [InlineData("400d", "longer than 365 days")]
    [InlineData("m", "is not a cache TTL")]
    [InlineData("-5m", "is not a cache TTL")]
    [InlineData("10 minutes", "is not a cache TTL")]
    public void Bad_values_give_clear_errors(string text, string expected)
    {
        Assert.False(CacheTtl.TryParse(text, out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
        var e = Assert.Throws<FormatException>(() => CacheTtl.Parse(text));
        Assert.Equal(error, e.Message);
    }

    [Fact]
    public void Explicit_spans_are_validated()
    {
        Assert.Equal(TimeSpan.FromMinutes(3), CacheTtl.FromTimeSpan(TimeSpan.FromMinutes(3)).Duration);
        Assert.Throws<ArgumentOutOfRangeException>(() => CacheTtl.FromTimeSpan(TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => CacheTtl.FromTimeSpan(TimeSpan.FromMinutes(-1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => CacheTtl.FromTimeSpan(TimeSpan.FromDays(366)));
    }
}
