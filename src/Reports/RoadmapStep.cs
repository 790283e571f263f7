namespace PromptOps.Reports;

/// <summary>One step of the roadmap.</summary>
/// <param name="Order">1 for the first lever.</param>
/// <param name="Lever">The lever.</param>
/// <param name="Applicable">False when the ledger shows the lever is already used (then it is skipped in the cumulative figures).</param>
/// <param name="Evidence">What the ledger says about this lever.</param>
/// <param name="ExpectedLowUsd">The lever's low saving in USD of the period's spend, after the steps before it.</param>
/// <param name="ExpectedHighUsd">The lever's high saving in USD, after the steps before it.</param>
/// <param name="CumulativeLow">The total reduction after this step, low end: 1 − Π(1 − low) over the applicable steps so far.</param>
/// <param name="CumulativeHigh">The total reduction after this step, high end.</param>
/// <param name="CumulativeMid">The total reduction after this step at the midpoints.</param>
public sealed record RoadmapStep(int Order, OptimizationLever Lever, bool Applicable, string Evidence, decimal ExpectedLowUsd, decimal ExpectedHighUsd,
    decimal CumulativeLow, decimal CumulativeHigh, decimal CumulativeMid);
