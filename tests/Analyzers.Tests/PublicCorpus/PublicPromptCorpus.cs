using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace PromptOps.Analyzers.Tests.PublicCorpus;

/// <summary>One prompt of Corpus/public/public-prompts.jsonl (see the README there).</summary>
internal sealed record PublicPrompt(string Id, string Source, string Path, string Licence, string Language, string Text)
{
    /// <summary>True for the held-out part (measure only), false for the development part (tune on it).</summary>
    public bool HeldOut => PublicPromptCorpus.IsHeldOut(Id);

    public string Part => HeldOut ? "held-out" : "dev";
}

/// <summary>
/// The public prompt corpus and its one fixed split: the first byte of SHA-256(<see cref="SplitSalt"/> + id) below 128
/// is held out, the rest is development (about 50/50). The split depends on the id alone, so adding prompts never
/// moves an existing one from one part to the other. Never change the salt: that would mix the parts.
/// </summary>
internal static class PublicPromptCorpus
{
    public const string SplitSalt = "promptops-public-corpus/v1:";

    private static readonly Lazy<IReadOnlyList<PublicPrompt>> All = new(Load);

    public static IReadOnlyList<PublicPrompt> Prompts => All.Value;

    public static bool IsHeldOut(string id) => SHA256.HashData(Encoding.UTF8.GetBytes(SplitSalt + id))[0] < 128;

    private static List<PublicPrompt> Load()
    {
        var file = System.IO.Path.Combine(AppContext.BaseDirectory, "Corpus", "public", "public-prompts.jsonl");
        var prompts = new List<PublicPrompt>();
        foreach (var line in File.ReadLines(file))
        {
            if (line.Length == 0) continue;
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            prompts.Add(new PublicPrompt(
                root.GetProperty("id").GetString()!,
                root.GetProperty("source").GetString()!,
                root.GetProperty("path").GetString()!,
                root.GetProperty("licence").GetString()!,
                root.GetProperty("language").GetString()!,
                root.GetProperty("text").GetString()!));
        }

        return prompts;
    }
}
