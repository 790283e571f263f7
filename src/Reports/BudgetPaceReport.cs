using PromptOps.Budgets;

namespace PromptOps.Reports;

/// <summary>The monthly budget's pace from the ledger: the month's spend so far, its pace, and the daily costs behind it.</summary>
/// <param name="Month">The calendar month (UTC) that contains the report time.</param>
/// <param name="AsOf">The report time: records after it are not counted.</param>
/// <param name="Pace">Spend against the linear pace of the budget, its status and the recommended actions (<see cref="BudgetPace"/>).</param>
/// <param name="UnpricedRequests">Calls this month whose cost is unknown: the true pace is higher when this is not zero.</param>
/// <param name="DailyCosts">The days of the month up to the report time, in order.</param>
public sealed record BudgetPaceReport(ReportPeriod Month, DateTimeOffset AsOf, BudgetPace Pace, long UnpricedRequests, IReadOnlyList<DailyCost> DailyCosts);
