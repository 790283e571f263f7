using System.Globalization;
using PromptOps.Knowledge;

namespace PromptOps.Plans;

/// <summary>
/// Options of the plans and rate limits (configuration section <c>PromptOps:Plans</c>). Off unless
/// <see cref="Enabled"/>. A user's plan comes from a registered <see cref="IUserPlanResolver"/>, else
/// <see cref="Users"/>, else <see cref="DefaultPlan"/>.
/// </summary>
public sealed class UserPlanOptions
{
    /// <summary>Turns plans and rate limits on. Default: off.</summary>
    public bool Enabled { get; set; }

    /// <summary>The plan of a user with no other assignment. Default: <c>free</c>.</summary>
    public string DefaultPlan { get; set; } = "free";

    /// <summary>User id → plan name.</summary>
    public Dictionary<string, string> Users { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Plans that change a built-in one (same name) or add one. The built-ins are free, starter, pro, enterprise (<see cref="UserPlans"/>).</summary>
    public Dictionary<string, UserPlanDefinition> Definitions { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Refuse a request without a user id (<c>plan.user_required</c>). Default: off (such a request is not subject to plans).</summary>
    public bool RequireUserId { get; set; }

    /// <summary>The window of <see cref="UserPlan.RequestsPerMinute"/>. Default: one minute (change it only in tests).</summary>
    public TimeSpan RateLimitWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The output tokens a request is assumed to use when neither its plan nor the request sets <c>MaxOutputTokens</c>:
    /// the daily-token reservation is its input plus this (else a request with no output limit reserves only its input,
    /// and the daily limit is overrun). Default: 500, the task table's default output size.
    /// </summary>
    public int DefaultMaxOutputTokens { get; set; } = PromptTasks.DefaultMaxOutputTokens;

    /// <summary>The problems with these options, each naming the bad value; empty when valid.</summary>
    public IEnumerable<string> GetErrors()
    {
        if (Users is null) yield return "PromptOps:Plans:Users is null.";
        if (Definitions is null) yield return "PromptOps:Plans:Definitions is null.";
        if (Users is null || Definitions is null) yield break;
        var names = new HashSet<string>(UserPlans.All.Select(p => p.Name).Concat(Definitions.Keys), StringComparer.OrdinalIgnoreCase);
        if (string.IsNullOrWhiteSpace(DefaultPlan) || !names.Contains(DefaultPlan)) yield return $"PromptOps:Plans:DefaultPlan '{DefaultPlan}' is not a plan. Plans: {string.Join(", ", names)}.";
        foreach (var (user, plan) in Users)
        {
            if (string.IsNullOrWhiteSpace(plan) || !names.Contains(plan)) yield return $"PromptOps:Plans:Users:{user}: '{plan}' is not a plan. Plans: {string.Join(", ", names)}.";
        }

        foreach (var (name, d) in Definitions)
        {
            if (d is null)
            {
                yield return $"PromptOps:Plans:Definitions:{name} is empty.";
                continue;
            }

            foreach (var (field, value) in new (string, long?)[]
                     {
                         ("DailyRequests", d.DailyRequests), ("DailyTokens", d.DailyTokens), ("MaxInputTokens", d.MaxInputTokens),
                         ("MaxOutputTokens", d.MaxOutputTokens), ("RequestsPerMinute", d.RequestsPerMinute),
                     })
            {
                if (value is <= 0) yield return string.Create(CultureInfo.InvariantCulture, $"PromptOps:Plans:Definitions:{name}:{field} must be positive (leave it unset for the built-in value or unlimited), but is {value}.");
            }

            if (d.Models is { } models && (models.Count == 0 || models.Any(string.IsNullOrWhiteSpace)))
                yield return $"PromptOps:Plans:Definitions:{name}:Models must list model ids (or \"*\" for all), but is [{string.Join(", ", models)}].";
        }

        if (DefaultMaxOutputTokens <= 0) yield return string.Create(CultureInfo.InvariantCulture, $"PromptOps:Plans:DefaultMaxOutputTokens must be positive, but is {DefaultMaxOutputTokens}.");
        if (RateLimitWindow <= TimeSpan.Zero) yield return $"PromptOps:Plans:RateLimitWindow must be positive, but is {RateLimitWindow}.";
    }

    /// <summary>Every plan by name (case-insensitive): the built-ins with <see cref="Definitions"/> applied, plus new plans.</summary>
    public IReadOnlyDictionary<string, UserPlan> ResolvePlans()
    {
        var errors = GetErrors().ToList();
        if (errors.Count > 0) throw new ArgumentException(string.Join(Environment.NewLine, errors));
        var plans = UserPlans.All.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, d) in Definitions)
        {
            var basePlan = plans.TryGetValue(name, out var existing) ? existing : new UserPlan { Name = name.Trim().ToLowerInvariant() };
            plans[name] = basePlan with
            {
                DailyRequests = d.DailyRequests ?? basePlan.DailyRequests,
                DailyTokens = d.DailyTokens ?? basePlan.DailyTokens,
                MaxInputTokens = d.MaxInputTokens ?? basePlan.MaxInputTokens,
                MaxOutputTokens = d.MaxOutputTokens ?? basePlan.MaxOutputTokens,
                AllowedModels = d.Models is null ? basePlan.AllowedModels : d.Models.Any(m => m.Trim() == "*") ? null : [.. d.Models.Select(m => m.Trim())],
                RequestsPerMinute = d.RequestsPerMinute ?? basePlan.RequestsPerMinute,
            };
        }

        return plans;
    }

    /// <summary>A copy that can be changed without changing this instance.</summary>
    internal UserPlanOptions Clone() => new()
    {
        Enabled = Enabled,
        DefaultPlan = DefaultPlan,
        Users = new(Users, StringComparer.Ordinal),
        Definitions = Definitions.ToDictionary(kv => kv.Key, kv => kv.Value?.Clone()!, StringComparer.OrdinalIgnoreCase),
        RequireUserId = RequireUserId,
        RateLimitWindow = RateLimitWindow,
        DefaultMaxOutputTokens = DefaultMaxOutputTokens,
    };
}
