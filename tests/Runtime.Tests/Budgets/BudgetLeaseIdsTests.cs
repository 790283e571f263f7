using System.Globalization;
using PromptOps.Budgets;

namespace PromptOps.Tests.Budgets;

/// <summary>Lease ids: the process part and a counter in lower-case hex, written as one string.</summary>
public sealed class BudgetLeaseIdsTests
{
    [Fact]
    public void Ids_are_the_process_part_and_a_growing_hex_counter()
    {
        var ids = Enumerable.Range(0, 5000).Select(_ => BudgetLeaseIds.New()).ToList();
        Assert.All(ids, id => Assert.Matches("^[0-9a-f]{16}[1-9a-f][0-9a-f]*$", id));
        Assert.Single(ids.Select(id => id[..16]).Distinct());
        var counters = ids.Select(id => ulong.Parse(id.AsSpan(16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(counters.Order(), counters); // other tests take ids meanwhile: growing, not necessarily consecutive
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public void Only_this_process_ids_in_their_exact_form_parse_as_own_counters()
    {
        var id = BudgetLeaseIds.New();
        Assert.True(BudgetLeaseIds.TryParseOwn(id, out var n));
        Assert.Equal(ulong.Parse(id.AsSpan(16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture), n);
        var prefix = id[..16];
        foreach (var other in new[] { "outage-1", prefix, prefix + "0" + id[16..], prefix + id[16..].ToUpperInvariant() + "G", prefix + "x1", prefix + new string('f', 17),
                     (prefix[0] == 'a' ? "b" : "a") + id[1..], "" })
        {
            Assert.False(BudgetLeaseIds.TryParseOwn(other, out _), other);
        }
    }

    [Fact]
    public void Applied_markers_tell_a_replay_apart_for_own_and_other_ids_and_forget_them_after_their_window()
    {
        var markers = new AppliedMarkers();
        var own = BudgetLeaseIds.New();
        var padded = own[..16] + "0" + own[16..]; // not an id New() writes: a different id, kept as a string
        Assert.True(markers.TryAdd(own, untilTicks: 100));
        Assert.False(markers.TryAdd(own, untilTicks: 200)); // a replay
        Assert.True(markers.TryAdd(padded, untilTicks: 100));
        Assert.True(markers.TryAdd("outage-1", untilTicks: 300));
        Assert.False(markers.TryAdd("outage-1", untilTicks: 300));
        markers.Set(own, untilTicks: 250); // settled by the lease's own call: the window starts again
        Assert.Equal(3, markers.Count);

        markers.Forget(ticks: 100); // the padded id's window ended; the own id's was moved to 250
        Assert.Equal(2, markers.Count);
        Assert.False(markers.TryAdd(own, 1));
        Assert.True(markers.TryAdd(padded, 1));
        markers.Forget(ticks: 300);
        Assert.Equal(0, markers.Count);
        Assert.True(markers.TryAdd(own, 1)); // forgotten: after the replay window an id counts as new
    }
}
