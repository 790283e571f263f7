namespace PromptOps.Routing;

/// <summary>The values of the <c>promptops.escalation.reason</c> metric tag.</summary>
public static class EscalationReasons
{
    /// <summary>The reply did not parse or validate as the method's result.</summary>
    public const string ReplyInvalid = "reply_invalid";
}
