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
}
