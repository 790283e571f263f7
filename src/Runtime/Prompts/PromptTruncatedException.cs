using System.Globalization;
using Microsoft.Extensions.AI;

namespace PromptOps;

/// <summary>
/// The model's reply was cut off at the output-token limit (<c>ChatFinishReason.Length</c>): thrown under
/// <see cref="TruncationPolicy.Throw"/>, and by a generated typed method whose cut-off reply cannot be read as its
/// return type. Carries the partial text, so the caller can log it, show it or raise the limit.
/// </summary>
public sealed class PromptTruncatedException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="partialText">The text the model sent before it was cut off.</param>
    /// <param name="promptId">The prompt id, if known.</param>
    /// <param name="maxOutputTokens">The output-token limit of the request, if set.</param>
    /// <param name="response">The cut-off response (null for a stream).</param>
    /// <param name="inner">The error reading the partial text, if any.</param>
    public PromptTruncatedException(string partialText, string? promptId, int? maxOutputTokens, ChatResponse? response = null, Exception? inner = null)
        : base(Describe(promptId, maxOutputTokens), inner)
    {
        PartialText = partialText ?? string.Empty;
        PromptId = promptId;
        MaxOutputTokens = maxOutputTokens;
        Response = response;
    }

    /// <summary>Creates the exception.</summary>
    public PromptTruncatedException()
        : this(string.Empty, null, null)
    {
    }

    /// <summary>Creates the exception.</summary>
    public PromptTruncatedException(string message)
        : base(message)
    {
        PartialText = string.Empty;
    }

    /// <summary>Creates the exception.</summary>
    public PromptTruncatedException(string message, Exception inner)
        : base(message, inner)
    {
        PartialText = string.Empty;
    }

    /// <summary>The text the model sent before it was cut off.</summary>
    public string PartialText { get; }

    /// <summary>The prompt id from the request's metadata, if any.</summary>
    public string? PromptId { get; }

    /// <summary>The request's output-token limit, if it had one.</summary>
    public int? MaxOutputTokens { get; }

    /// <summary>The cut-off response (its usage is what the call cost); null for a stream.</summary>
    public ChatResponse? Response { get; }

    private int _usageClaimed;

    /// <summary>True for the first caller only: the meter records the cut-off call's usage once per exception.</summary>
    internal bool ClaimUsage() => Interlocked.Exchange(ref _usageClaimed, 1) == 0;

    private static string Describe(string? promptId, int? maxOutputTokens) => string.Create(CultureInfo.InvariantCulture,
        $"The reply{(promptId is null ? string.Empty : " of prompt '" + promptId + "'")} was cut off at the output-token limit{(maxOutputTokens is { } m ? " of " + m.ToString(CultureInfo.InvariantCulture) : string.Empty)}. Raise the limit ([Prompt(MaxTokens = …)] or ChatOptions.MaxOutputTokens), ask for a shorter answer, or set OnTruncation = \"retry\". The partial text is in PartialText.");
}
