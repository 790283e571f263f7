namespace PromptOps.Reports;

/// <summary>An ordered plan of levers to reach a target reduction of spend.</summary>
/// <param name="TargetReduction">The target, a fraction of spend in (0, 1).</param>
/// <param name="Period">The days whose spend the plan is sized on; null for an empty ledger without a requested period.</param>
/// <param name="SpendUsd">The spend of the period.</param>
/// <param name="Steps">Every lever, in order.</param>
/// <param name="StepsToTarget">How many steps, taken in order, reach the target at the midpoints of the ranges; null when all of them do not.</param>
/// <param name="TargetReachable">True when all applicable levers at the high end of their ranges reach the target.</param>
public sealed record OptimizationRoadmap(decimal TargetReduction, ReportPeriod? Period, decimal SpendUsd, IReadOnlyList<RoadmapStep> Steps, int? StepsToTarget, bool TargetReachable);
