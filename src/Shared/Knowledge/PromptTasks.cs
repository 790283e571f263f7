// One source of truth for the knowledge tables (see ModelTier.cs). Keep this file netstandard2.0-compatible.
#nullable enable
using System;
using System.Collections.Generic;

namespace PromptOps.Knowledge
{
    /// <summary>A task kind with its default output-token limit and routing tier.</summary>
#if PROMPTOPS_RUNTIME
    public
#else
    internal
#endif
    sealed class PromptTaskInfo
    {
        internal PromptTaskInfo(string name, int maxOutputTokens, ModelTier tier, params string[] aliases)
            : this(name, maxOutputTokens, tier, 0, 0, aliases)
        {
        }

        internal PromptTaskInfo(string name, int maxOutputTokens, ModelTier tier, int lengthWords, int lengthCharacters, params string[] aliases)
        {
            Name = name;
            MaxOutputTokens = maxOutputTokens;
            Tier = tier;
            LengthWords = lengthWords;
            LengthCharacters = lengthCharacters;
            Aliases = aliases;
        }

        /// <summary>The canonical task name (<c>classification</c>, <c>summary</c>, …).</summary>
        public string Name { get; }

        /// <summary>The default <c>MaxOutputTokens</c> for the task.</summary>
        public int MaxOutputTokens { get; }

        /// <summary>The tier the task is routed to by default.</summary>
        public ModelTier Tier { get; }

        /// <summary>
        /// The answer length an English free-text prompt of this task asks for (<c>Answer in at most N words.</c>), sized so
        /// that such an answer fits <see cref="MaxOutputTokens"/> with margin; 0 for tasks whose answer has no free length
        /// (one-word answers, code, translation).
        /// </summary>
        public int LengthWords { get; }

        /// <summary>The same for a Japanese prompt, in characters (<c>N文字以内で答えてください。</c>); 0 for none.</summary>
        public int LengthCharacters { get; }

        /// <summary>Other accepted names (<c>summarization</c> for <c>summary</c>, …).</summary>
        public IReadOnlyList<string> Aliases { get; }

        /// <inheritdoc />
        public override string ToString() => Name;
    }

    /// <summary>The task table: task (with aliases) → max output tokens and tier.</summary>
#if PROMPTOPS_RUNTIME
    public
#else
    internal
#endif
    static class PromptTasks
    {
        /// <summary>Output-token limit used when no task (or an unknown one) is given.</summary>
        public const int DefaultMaxOutputTokens = 500;

        /// <summary>Tier used when no task (or an unknown one) is given.</summary>
        public const ModelTier DefaultTier = ModelTier.Balanced;

        /// <summary>Every known task, in table order.</summary>
        public static readonly IReadOnlyList<PromptTaskInfo> All = new[]
        {
            new PromptTaskInfo("classification", 10, ModelTier.FastCheap),
            new PromptTaskInfo("sentiment", 5, ModelTier.FastCheap),
            new PromptTaskInfo("yes_no", 3, ModelTier.FastCheap),
            // Free-text tasks: max output tokens, tier, stated length (English words, Japanese characters). The lengths
            // are checked against the limits with the o200k tokenizer on sample answers (LengthGuidanceTests).
            new PromptTaskInfo("short_answer", 50, ModelTier.Balanced, 30, 50),
            new PromptTaskInfo("summary", 200, ModelTier.Balanced, 120, 200, "summarization"),
            new PromptTaskInfo("long_summary", 500, ModelTier.Balanced, 300, 500),
            new PromptTaskInfo("translation", 1000, ModelTier.Balanced),
            new PromptTaskInfo("article", 1000, ModelTier.HighQuality, 600, 1000, "content_generation"),
            new PromptTaskInfo("code_snippet", 300, ModelTier.HighQuality),
            new PromptTaskInfo("full_code", 2000, ModelTier.HighQuality, "code_generation"),
            new PromptTaskInfo("analysis", 800, ModelTier.HighQuality, 480, 800),
            new PromptTaskInfo("contract_analysis", 800, ModelTier.Best, 480, 800),
            new PromptTaskInfo("creative_writing", 1000, ModelTier.Best, 600, 1000),
        };

        private static readonly Dictionary<string, PromptTaskInfo> ByName = BuildIndex(normalize: true);

        // Exact spellings first: the names generated code and most callers use, looked up without allocating.
        private static readonly Dictionary<string, PromptTaskInfo> ByExactName = BuildIndex(normalize: false);

        /// <summary>The list of valid names (canonical and aliases), for error messages.</summary>
        public static string ValidNames
        {
            get
            {
                var names = new List<string>();
                foreach (var t in All)
                {
                    names.Add(t.Name);
                    names.AddRange(t.Aliases);
                }
                return string.Join(", ", names);
            }
        }

        /// <summary>
        /// Looks up a task by name or alias. Case-insensitive; <c>-</c>, <c>_</c> and spaces are ignored
        /// (<c>yes-no</c>, <c>YesNo</c> and <c>yes_no</c> are the same task).
        /// </summary>
        public static bool TryGet(string? name, out PromptTaskInfo task)
        {
            task = null!;
            if (name == null) return false;
            return ByExactName.TryGetValue(name, out task!) || ByName.TryGetValue(ModelTiers.Normalize(name), out task!);
        }

        /// <summary>Looks up a task or throws an <see cref="ArgumentException"/> naming the bad value.</summary>
        public static PromptTaskInfo Get(string name)
        {
            if (TryGet(name, out var task)) return task;
            throw new ArgumentException("Unknown task '" + name + "'. Valid tasks: " + ValidNames + ".", nameof(name));
        }

        /// <summary>The max output tokens of a task, or <see cref="DefaultMaxOutputTokens"/> for none/unknown.</summary>
        public static int GetMaxOutputTokens(string? name) => TryGet(name, out var t) ? t.MaxOutputTokens : DefaultMaxOutputTokens;

        /// <summary>The tier of a task, or <see cref="DefaultTier"/> for none/unknown.</summary>
        public static ModelTier GetTier(string? name) => TryGet(name, out var t) ? t.Tier : DefaultTier;

        private static Dictionary<string, PromptTaskInfo> BuildIndex(bool normalize)
        {
            var index = new Dictionary<string, PromptTaskInfo>(StringComparer.Ordinal);
            foreach (var t in All)
            {
                index.Add(normalize ? ModelTiers.Normalize(t.Name) : t.Name, t);
                foreach (var a in t.Aliases) index.Add(normalize ? ModelTiers.Normalize(a) : a, t);
            }
            return index;
        }
    }
}
