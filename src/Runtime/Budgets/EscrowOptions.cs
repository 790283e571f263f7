namespace PromptOps.Budgets;

/// <summary>How <see cref="EscrowBudgetStore"/> slices the budget (configuration <c>PromptOps:BudgetStore:Escrow</c>).</summary>
public sealed class EscrowOptions
{
    /// <summary>A slice's size as a share of the smallest limit it charges (at least the request's worst case). Default 0.05.</summary>
    public double Share { get; set; } = 0.05;

    /// <summary>How often a slice is settled into the shared total and replaced. Default 30 seconds.</summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A slice's lease in the shared store; a slice is used for at most half of it. Default 10 minutes.</summary>
    public TimeSpan SliceLease { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The problems with these options, each naming the bad value; empty when valid.</summary>
    public IEnumerable<string> GetErrors()
    {
        if (!(Share > 0 && Share <= 0.5)) yield return $"PromptOps:BudgetStore:Escrow:Share must be in (0, 0.5], but is {Share.ToString(System.Globalization.CultureInfo.InvariantCulture)}.";
        if (CheckpointInterval <= TimeSpan.Zero) yield return $"PromptOps:BudgetStore:Escrow:CheckpointInterval must be positive, but is {CheckpointInterval}.";
        if (SliceLease <= TimeSpan.Zero) yield return $"PromptOps:BudgetStore:Escrow:SliceLease must be positive, but is {SliceLease}.";
        else if (CheckpointInterval > SliceLease / 2) yield return $"PromptOps:BudgetStore:Escrow:CheckpointInterval ({CheckpointInterval}) must be at most half of SliceLease ({SliceLease}).";
    }

    /// <summary>A copy that can be changed without changing this instance.</summary>
    internal EscrowOptions Clone() => (EscrowOptions)MemberwiseClone();
}
