namespace PromptOps.Reports;

/// <summary>One group of a report (a model, an endpoint, a user) with its totals and share of the total cost.</summary>
/// <param name="Key">The model, endpoint or user; <see cref="UsageReports.NoneKey"/> when the records had none.</param>
/// <param name="Totals">What the group used and cost.</param>
/// <param name="ShareOfCost">The group's cost ÷ the cost of everything it is compared with (0 when that is 0).</param>
public sealed record UsageBreakdown(string Key, UsageTotals Totals, decimal ShareOfCost);
