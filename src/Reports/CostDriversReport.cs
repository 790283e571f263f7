namespace PromptOps.Reports;

/// <summary>What drives the cost: top endpoints, models and users, how concentrated spend is among users, and the peak hour.</summary>
/// <param name="Period">The days covered; null for an empty ledger without a requested period.</param>
/// <param name="Totals">The whole period.</param>
/// <param name="TopEndpoints">The most expensive endpoints (share of the total cost).</param>
/// <param name="TopModels">The most expensive models (share of the total cost).</param>
/// <param name="TopUsers">The most expensive users (share of the cost attributed to users).</param>
/// <param name="Users">Distinct users (records without a user are not a user).</param>
/// <param name="TopUserCount">The users in the top group: ⌈fraction × <paramref name="Users"/>⌉ (20% by default).</param>
/// <param name="TopUsersCostUsd">What the top group cost.</param>
/// <param name="TopUsersShareOfCost">The top group's cost ÷ the cost attributed to users (0 when that is 0).</param>
/// <param name="UnattributedCostUsd">Cost of records without a user (not part of the user shares).</param>
/// <param name="ByHour">Requests and cost by hour of the day (UTC), 24 entries, hour 0 first.</param>
/// <param name="PeakHour">The hour with the most cost (ties: more requests, then the earlier hour); null without records.</param>
public sealed record CostDriversReport(ReportPeriod? Period, UsageTotals Totals, IReadOnlyList<UsageBreakdown> TopEndpoints,
    IReadOnlyList<UsageBreakdown> TopModels, IReadOnlyList<UsageBreakdown> TopUsers, int Users, int TopUserCount, decimal TopUsersCostUsd,
    decimal TopUsersShareOfCost, decimal UnattributedCostUsd, IReadOnlyList<HourlyUsage> ByHour, int? PeakHour);
