using System.Globalization;
using PromptOps.Knowledge;

namespace PromptOps.Routing;

/// <summary>Options of <see cref="EscalationChatClient"/> (configuration section <c>PromptOps:Escalation</c>).</summary>
public sealed class EscalationOptions
{
    /// <summary>True (the default): a reply that does not validate is asked again one tier up. False: no retries, no validation.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The highest tier a reply that does not validate is escalated to (a tier name). Default <c>high_quality</c>: the
    /// <c>best</c> tier costs several times more and is left to prompts that ask for it with their task or tier. A request
    /// that starts at or above it is not escalated.
    /// </summary>
    public string MaxTier { get; set; } = ModelTiers.HighQualityName;

    /// <summary>
    /// How long the first tier whose reply validated is remembered per prompt id and version, so the next calls start there
    /// instead of paying for a reply that fails again. Default one hour; <see cref="TimeSpan.Zero"/> remembers nothing.
    /// </summary>
    public TimeSpan RememberFor { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The most prompt versions remembered at once (bounded memory); the expired go first, then the oldest. Default 10,000.</summary>
    public int MaxRemembered { get; set; } = 10_000;

    /// <summary>The problems with these options, each naming the bad value; empty when valid.</summary>
    public IEnumerable<string> GetErrors()
    {
        if (!ModelTiers.TryParse(MaxTier, out _)) yield return $"PromptOps:Escalation:MaxTier '{MaxTier}' is not a tier. Valid tiers: {ModelTiers.ValidNames}.";
        if (RememberFor < TimeSpan.Zero) yield return string.Create(CultureInfo.InvariantCulture, $"PromptOps:Escalation:RememberFor must not be negative, but is {RememberFor}.");
        if (MaxRemembered <= 0) yield return string.Create(CultureInfo.InvariantCulture, $"PromptOps:Escalation:MaxRemembered must be positive, but is {MaxRemembered}.");
    }

    /// <summary>A copy that can be changed without changing this instance.</summary>
    internal EscalationOptions Clone() => new()
    {
        Enabled = Enabled,
        MaxTier = MaxTier,
        RememberFor = RememberFor,
        MaxRemembered = MaxRemembered,
    };
}
