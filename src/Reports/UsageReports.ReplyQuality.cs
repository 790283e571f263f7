using PromptOps.Usage;

namespace PromptOps.Reports;

public static partial class UsageReports
{
    /// <summary>Cut-off answers, escalations and replies that failed validation per prompt (<see cref="ReplyQualityReport"/>).</summary>
    public static ReplyQualityReport ReplyQuality(IEnumerable<UsageRecord> records, ReportPeriod? period = null)
    {
        var byPrompt = new Dictionary<string, (long Requests, long Truncated, long Escalations, long Invalid)>(StringComparer.Ordinal);
        long requests = 0, truncated = 0, escalations = 0, invalid = 0;
        foreach (var r in In(records, period))
        {
            var cut = (r.Anomalies & UsageAnomalies.Truncated) != 0 ? 1 : 0;
            var bad = (r.Anomalies & UsageAnomalies.ReplyInvalid) != 0 ? 1 : 0;
            var moves = Math.Max(0, r.Escalations);
            requests++;
            truncated += cut;
            escalations += moves;
            invalid += bad;
            var key = Key(r.PromptId);
            var e = byPrompt.GetValueOrDefault(key);
            byPrompt[key] = (e.Requests + 1, e.Truncated + cut, e.Escalations + moves, e.Invalid + bad);
        }

        var prompts = byPrompt
            .Where(p => p.Value.Truncated + p.Value.Escalations + p.Value.Invalid > 0)
            .Select(p => new PromptReplyQuality(p.Key, p.Value.Requests, p.Value.Truncated, p.Value.Escalations, p.Value.Invalid))
            .OrderByDescending(p => p.Truncated + p.Escalations + p.ReplyInvalid).ThenBy(p => p.PromptId, StringComparer.Ordinal)
            .ToList();
        return new ReplyQualityReport(requests, truncated, escalations, invalid, prompts);
    }
}
