namespace PromptOps.Reports;

/// <summary>Cut-off answers, escalations and replies that failed validation, in all and per prompt.</summary>
/// <param name="Requests">All calls in the period.</param>
/// <param name="Truncated">Calls whose answer was cut off.</param>
/// <param name="Escalations">Moves to a higher tier, summed over the calls.</param>
/// <param name="ReplyInvalid">Calls with a reply that did not validate.</param>
/// <param name="Prompts">The prompts with at least one of the three, most affected first.</param>
public sealed record ReplyQualityReport(long Requests, long Truncated, long Escalations, long ReplyInvalid, IReadOnlyList<PromptReplyQuality> Prompts)
{
    /// <summary>True when no answer was cut off, escalated or invalid.</summary>
    public bool IsClean => Truncated == 0 && Escalations == 0 && ReplyInvalid == 0;
}
