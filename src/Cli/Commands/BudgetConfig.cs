using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using PromptOps.Budgets;

namespace PromptOps.Cli.Commands;

/// <summary>
/// Reads the budget limits for <c>promptops report --budget-config FILE</c>: an appsettings-style JSON file whose
/// <c>PromptOps:Budget</c> section (or a <c>Budget</c> section, or the file itself) has the keys of
/// <see cref="CostBudgetOptions"/>: <c>DailyLimitUsd</c>, <c>MonthlyBudgetUsd</c>, <c>Tenants</c>/<c>Users</c>/<c>Prompts</c> with
/// <c>Default</c> and <c>Limits</c>.
/// </summary>
internal static class BudgetConfig
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNameCaseInsensitive = true,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        Converters = { new JsonStringEnumConverter() },
    };

    public static CostBudgetOptions Load(string path)
    {
        var text = Inputs.ReadText(path);
        CostBudgetOptions? options;
        try
        {
            var root = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            var section = Child(Child(root, "PromptOps"), "Budget") ?? Child(root, "Budget") ?? root;
            options = section.Deserialize<CostBudgetOptions>(Json);
        }
        catch (JsonException e)
        {
            throw new CliInputException($"'{path}' is not valid budget JSON: {PromptOpsCli.OneLine(e.Message)}");
        }

        if (options is null) throw new CliInputException($"'{path}' has no budget section (PromptOps:Budget).");
        var errors = options.GetErrors().ToList();
        if (errors.Count > 0) throw new CliInputException($"'{path}': {string.Join(" ", errors)}");
        if (!options.HasApplicationLimit && !options.Tenants.IsConfigured && !options.Users.IsConfigured && !options.Prompts.IsConfigured)
            throw new CliInputException($"'{path}' sets no budget limit (PromptOps:Budget: DailyLimitUsd, MonthlyBudgetUsd, Tenants, Users or Prompts).");
        return options;
    }

    private static JsonNode? Child(JsonNode? node, string name) =>
        node is JsonObject o ? o.FirstOrDefault(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)).Value : null;
}
