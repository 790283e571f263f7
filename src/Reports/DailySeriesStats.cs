namespace PromptOps.Reports;

/// <summary>The statistics of a daily cost series.</summary>
/// <param name="Days">Days in the series (the period, days without calls counted as $0).</param>
/// <param name="MeanUsd">The mean daily cost.</param>
/// <param name="StdDevUsd">The population standard deviation σ of the daily cost.</param>
/// <param name="ThresholdUsd">Mean + k·σ: a day costing more than this is a spike.</param>
/// <param name="Evaluated">False when the series has fewer days than required, so no spike is reported.</param>
public sealed record DailySeriesStats(int Days, decimal MeanUsd, decimal StdDevUsd, decimal ThresholdUsd, bool Evaluated);
