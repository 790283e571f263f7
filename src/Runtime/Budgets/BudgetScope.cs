namespace PromptOps.Budgets;

/// <summary>What a budget's limits apply to. One request is counted in every scope it falls in.</summary>
public enum BudgetScope
{
    /// <summary>The whole application (every instance sharing the store): <see cref="CostBudgetOptions.HourlyLimitUsd"/> and its siblings.</summary>
    Application = 0,

    /// <summary>One tenant (<see cref="PromptOpsMetadata.TenantId"/> or <see cref="PromptOpsContext.BeginTenant"/>).</summary>
    Tenant = 1,

    /// <summary>One end user (<see cref="PromptOpsMetadata.UserId"/> or <see cref="PromptOpsContext.BeginUser"/>).</summary>
    User = 2,

    /// <summary>One prompt (endpoint): <see cref="PromptOpsMetadata.PromptId"/>.</summary>
    Prompt = 3,
}
