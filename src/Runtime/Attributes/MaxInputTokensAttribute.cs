namespace PromptOps;

/// <summary>Truncates a parameter of a <see cref="PromptAttribute"/> method to at most <see cref="MaxTokens"/> tokens at run time.</summary>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
public sealed class MaxInputTokensAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="maxTokens">The most tokens the argument may have; must be positive.</param>
    public MaxInputTokensAttribute(int maxTokens)
    {
        if (maxTokens <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxTokens), maxTokens, "MaxInputTokens must be positive.");
        }

        MaxTokens = maxTokens;
    }

    /// <summary>The most tokens the argument may have.</summary>
    public int MaxTokens { get; }
}
