using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace PromptOps.Budgets;

/// <summary>
/// The budget's action table (<c>PromptOps:Budget:Actions</c>): what PromptOps does, beyond refusing over-limit requests,
/// when the monthly pace runs hot or a user's spend is anomalous. Each action taken is logged (event 3013), counted
/// (<c>promptops.budget.actions</c>), published to the alert sinks as a <see cref="BudgetAlertKind.Action"/> event (once
/// across instances) and undone when its period rolls over. <see cref="CostBudgetOptions.DowngradeWhenCritical"/> and
/// <see cref="SpendAnomalyOptions.StopUser"/> are shorthands for the rows <c>PaceCritical → DowngradeTier</c> and
/// <c>Anomaly → StopUser</c>.
/// </summary>
[Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
public sealed class BudgetActionOptions
{
    /// <summary>The lowest <see cref="SemanticThreshold"/> allowed: 0.76, the lowest threshold whose false-hit rate stayed at or under 1 % on the labelled evaluation with MiniLM (docs/runtime.md, "Semantic cache": 1 false hit of 116 at 0.76, 8 at 0.70).</summary>
    public const double MinSemanticThreshold = 0.76;

    /// <summary>The rows of the table. Default: none (no action besides the shorthands).</summary>
    public List<BudgetActionRule> Rules { get; set; } = [];

    /// <summary>What <see cref="BudgetActionKind.LowerUserLimits"/> multiplies users' limits by, in (0, 1). Default: 0.5.</summary>
    public double UserLimitFactor { get; set; } = 0.5;

    /// <summary>The semantic cache's threshold while <see cref="BudgetActionKind.WidenSemanticCache"/> holds, in [<see cref="MinSemanticThreshold"/>, 1]. Default: 0.79 (no false hit on the labelled set).</summary>
    public double SemanticThreshold { get; set; } = 0.79;

    /// <summary>Prompt ids or endpoints <see cref="BudgetActionKind.PauseNonEssential"/> pauses, besides requests whose metadata says <see cref="PromptOpsMetadata.Essential"/> = false.</summary>
    public List<string> NonEssential { get; set; } = [];

    /// <summary>How often an instance reads the users other instances stopped for the day (<see cref="BudgetActionKind.StopUser"/>). Default: 15 s.</summary>
    public TimeSpan StopSyncInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The problems with these options; empty when valid.</summary>
    public IEnumerable<string> GetErrors()
    {
        if (Rules is null) yield return "PromptOps:Budget:Actions:Rules must not be null.";
        else
        {
            for (var i = 0; i < Rules.Count; i++)
            {
                var rule = Rules[i];
                if (rule is null) { yield return $"PromptOps:Budget:Actions:Rules:{i} is null."; continue; }
                if (!Enum.IsDefined(rule.When)) yield return $"PromptOps:Budget:Actions:Rules:{i}:When: unknown trigger '{rule.When}'. Valid: {string.Join(", ", Enum.GetNames<BudgetActionTrigger>())}.";
                if (!Enum.IsDefined(rule.Action)) yield return $"PromptOps:Budget:Actions:Rules:{i}:Action: unknown action '{rule.Action}'. Valid: {string.Join(", ", Enum.GetNames<BudgetActionKind>())}.";
                else if (rule.When == BudgetActionTrigger.Anomaly && rule.Action != BudgetActionKind.StopUser)
                    yield return $"PromptOps:Budget:Actions:Rules:{i}: an anomaly concerns one user; its only action is StopUser, not {rule.Action}.";
                else if (rule.When != BudgetActionTrigger.Anomaly && rule.Action == BudgetActionKind.StopUser)
                    yield return $"PromptOps:Budget:Actions:Rules:{i}: StopUser needs the Anomaly trigger (a pace concerns every user; use LowerUserLimits).";
            }
        }

        if (!(UserLimitFactor > 0 && UserLimitFactor < 1))
            yield return string.Create(CultureInfo.InvariantCulture, $"PromptOps:Budget:Actions:UserLimitFactor must be in (0, 1), but is {UserLimitFactor}.");
        if (!(SemanticThreshold >= MinSemanticThreshold && SemanticThreshold <= 1))
            yield return string.Create(CultureInfo.InvariantCulture, $"PromptOps:Budget:Actions:SemanticThreshold must be in [{MinSemanticThreshold}, 1] (below {MinSemanticThreshold} the measured false-hit rate passes 1 %), but is {SemanticThreshold}.");
        if (NonEssential is null) yield return "PromptOps:Budget:Actions:NonEssential must not be null.";
        else if (NonEssential.Any(string.IsNullOrWhiteSpace)) yield return "PromptOps:Budget:Actions:NonEssential must not contain an empty name.";
        if (StopSyncInterval <= TimeSpan.Zero) yield return $"PromptOps:Budget:Actions:StopSyncInterval must be positive, but is {StopSyncInterval}.";
    }

    /// <summary>A deep copy.</summary>
    internal BudgetActionOptions Clone() => new()
    {
        Rules = Rules?.Select(r => r?.Clone()!).ToList()!,
        UserLimitFactor = UserLimitFactor,
        SemanticThreshold = SemanticThreshold,
        NonEssential = NonEssential is null ? null! : [.. NonEssential],
        StopSyncInterval = StopSyncInterval,
    };
}
