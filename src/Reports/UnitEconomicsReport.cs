namespace PromptOps.Reports;

/// <summary>Unit cost against revenue, and the gross margin after AI cost.</summary>
/// <param name="Period">The days covered; null for an empty ledger without a requested period.</param>
/// <param name="RevenueUsd">The revenue of the period, as given.</param>
/// <param name="AiCostUsd">What the calls cost (priced calls only; see <paramref name="UnpricedRequests"/>).</param>
/// <param name="OtherCostOfRevenueUsd">Other cost of revenue, as given.</param>
/// <param name="Requests">Calls in the period.</param>
/// <param name="ActiveUsers">Distinct users with a call in the period.</param>
/// <param name="CostPerRequestUsd">AI cost ÷ requests; null without requests.</param>
/// <param name="CostPerActiveUserUsd">AI cost ÷ active users; null without users.</param>
/// <param name="RevenuePerActiveUserUsd">Revenue ÷ active users; null without users.</param>
/// <param name="AiCostShareOfRevenue">AI cost ÷ revenue; null without revenue.</param>
/// <param name="GrossMargin">(revenue − AI cost − other cost of revenue) ÷ revenue; null without revenue.</param>
/// <param name="Health">The margin against the thresholds.</param>
/// <param name="UnpricedRequests">Calls whose cost is unknown: the true margin is lower when this is not zero.</param>
public sealed record UnitEconomicsReport(ReportPeriod? Period, decimal RevenueUsd, decimal AiCostUsd, decimal OtherCostOfRevenueUsd, long Requests,
    int ActiveUsers, decimal? CostPerRequestUsd, decimal? CostPerActiveUserUsd, decimal? RevenuePerActiveUserUsd, decimal? AiCostShareOfRevenue,
    decimal? GrossMargin, MarginHealth Health, long UnpricedRequests);
