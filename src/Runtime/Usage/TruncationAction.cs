namespace PromptOps.Usage;

/// <summary>The <c>promptops.truncation.action</c> tag values.</summary>
internal static class TruncationAction
{
    public const string Returned = "returned";
    public const string Retried = "retried";
    public const string Thrown = "thrown";
}
