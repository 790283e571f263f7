using Microsoft.CodeAnalysis;

namespace PromptOps.Generators.Parsing
{
    /// <summary>
    /// The named arguments of one <c>[Prompt(...)]</c> application, as the user wrote them. The only place that reads
    /// the attribute's arguments; unset values are null, 0 or NaN (the attribute's own defaults).
    /// </summary>
    internal sealed class PromptSettings
    {
        public string? Task { get; private set; }

        public string? CacheTtl { get; private set; }

        public string? System { get; private set; }

        public string? User { get; private set; }

        public string? Tier { get; private set; }

        public int MaxTokens { get; private set; }

        public int MaxInputTokens { get; private set; }

        public double Temperature { get; private set; } = double.NaN;

        public double SemanticThreshold { get; private set; } = double.NaN;

        public string? OnTruncation { get; private set; }

        public double Minimum { get; private set; } = double.NaN;

        public double Maximum { get; private set; } = double.NaN;

        /// <summary>The <c>Length</c> setting: null when not set (the task's length), empty for none.</summary>
        public string? Length { get; private set; }

        /// <summary>The <c>Deferrable</c> setting: the call may wait for the provider's batch API.</summary>
        public bool Deferrable { get; private set; }

        public static PromptSettings Read(AttributeData attribute)
        {
            var settings = new PromptSettings();
            foreach (var arg in attribute.NamedArguments)
            {
                var value = arg.Value.Value;
                switch (arg.Key)
                {
                    case "Task": settings.Task = value as string; break;
                    case "CacheTtl": settings.CacheTtl = value as string; break;
                    case "System": settings.System = value as string; break;
                    case "User": settings.User = value as string; break;
                    case "Tier": settings.Tier = value as string; break;
                    case "MaxTokens": settings.MaxTokens = value is int m ? m : 0; break;
                    case "MaxInputTokens": settings.MaxInputTokens = value is int mi ? mi : 0; break;
                    case "Temperature": settings.Temperature = value is double t ? t : double.NaN; break;
                    case "SemanticThreshold": settings.SemanticThreshold = value is double s ? s : double.NaN; break;
                    case "OnTruncation": settings.OnTruncation = value as string; break;
                    case "Minimum": settings.Minimum = value is double min ? min : double.NaN; break;
                    case "Maximum": settings.Maximum = value is double max ? max : double.NaN; break;
                    case "Length": settings.Length = value as string ?? string.Empty; break;
                    case "Deferrable": settings.Deferrable = value is true; break;
                }
            }

            return settings;
        }
    }
}
