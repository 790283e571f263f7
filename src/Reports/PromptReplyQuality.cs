using PromptOps.Usage;

namespace PromptOps.Reports;

/// <summary>
/// What happened to the answers of one prompt: cut off at the output limit, asked again one tier up, or not read as the
/// caller's value. Many of one kind for a prompt point at its cause: a limit that is too tight, a tier that is too cheap.
/// </summary>
/// <param name="PromptId">The prompt id, or <see cref="UsageReports.NoneKey"/> for calls without one.</param>
/// <param name="Requests">The prompt's calls in the period.</param>
/// <param name="Truncated">Calls whose answer was cut off (<see cref="UsageAnomalies.Truncated"/>).</param>
/// <param name="Escalations">Moves to a higher tier, summed over the calls (<see cref="UsageRecord.Escalations"/>).</param>
/// <param name="ReplyInvalid">Calls with a reply that did not parse or validate (<see cref="UsageAnomalies.ReplyInvalid"/>).</param>
public sealed record PromptReplyQuality(string PromptId, long Requests, long Truncated, long Escalations, long ReplyInvalid);
