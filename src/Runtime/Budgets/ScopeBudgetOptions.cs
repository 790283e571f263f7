namespace PromptOps.Budgets;

/// <summary>
/// The limits of one kind of scope (tenants, users or prompts): <see cref="Default"/> for every id that has no entry in
/// <see cref="Limits"/>, and an entry per id that needs its own. An <see cref="IBudgetLimitProvider"/> registered in the
/// service collection is asked first and wins over both.
/// </summary>
public sealed class ScopeBudgetOptions
{
    /// <summary>The limits of every id without its own entry; null: ids without an entry are not limited.</summary>
    public BudgetLimits? Default { get; set; }

    /// <summary>Limits per id (ordinal, case-sensitive), e.g. <c>PromptOps:Budget:Tenants:Limits:acme:MonthlyBudgetUsd</c>.</summary>
    public Dictionary<string, BudgetLimits> Limits { get; set; } = new(StringComparer.Ordinal);

    /// <summary>True when any limit is configured.</summary>
    public bool IsConfigured => Default?.IsConfigured == true || Limits.Values.Any(l => l?.IsConfigured == true);

    /// <summary>The configured limits of <paramref name="id"/>: its entry, else <see cref="Default"/>.</summary>
    public BudgetLimits? For(string id) => Limits.TryGetValue(id, out var own) && own is not null ? own : Default;

    /// <summary>The problems with these options under <paramref name="path"/>; empty when valid.</summary>
    public IEnumerable<string> GetErrors(string path)
    {
        if (Default is not null)
        {
            foreach (var e in Default.GetErrors(path + ":Default")) yield return e;
        }

        foreach (var (id, limits) in Limits)
        {
            if (string.IsNullOrWhiteSpace(id)) yield return $"{path}:Limits has an entry with an empty id.";
            else if (limits is null) yield return $"{path}:Limits:{id} is empty.";
            else
            {
                foreach (var e in limits.GetErrors($"{path}:Limits:{id}")) yield return e;
            }
        }
    }

    /// <summary>A deep copy.</summary>
    internal ScopeBudgetOptions Clone() => new()
    {
        Default = Default?.Clone(),
        Limits = Limits.ToDictionary(p => p.Key, p => p.Value?.Clone()!, StringComparer.Ordinal),
    };
}
