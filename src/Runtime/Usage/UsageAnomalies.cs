namespace PromptOps.Usage;

/// <summary>What is unusual about a <see cref="UsageRecord"/>'s numbers.</summary>
[Flags]
public enum UsageAnomalies
{
    /// <summary>Nothing: the counts are the provider's.</summary>
    None = 0,

    /// <summary>
    /// The response reported impossible token counts (negative, above <see cref="UsageMeterChatClient.MaxPlausibleTokens"/>,
    /// or more cached than total input tokens); the meter clamped them into range (negative → 0, too large → the maximum,
    /// cached → at most the input) and priced the clamped counts. The record's tokens and cost are not the provider's.
    /// </summary>
    TokensClamped = 1,

    /// <summary>
    /// The response carried no usage (a provider or proxy that does not report it, a stream that ended or was abandoned
    /// before its usage update): the meter estimated the tokens — input with <see cref="Tokens.RequestTokens.Count"/>, output
    /// with the model's token counter on the response text — and priced the estimate. Never a silent $0; reports show
    /// the estimated part of the cost apart.
    /// </summary>
    Estimated = 2,

    /// <summary>
    /// The provider cut an answer of this call off at the output-token limit (<c>ChatFinishReason.Length</c>): the answer
    /// returned (or thrown as <see cref="PromptTruncatedException"/>) is partial, or a first, cut-off answer was asked
    /// again with a larger limit (<see cref="Truncation.TruncationChatClient"/>; the record's tokens and cost add up both).
    /// </summary>
    Truncated = 4,

    /// <summary>
    /// A reply of this call did not parse or validate as the caller reads it (<see cref="PromptOpsMetadata.ReplyValidator"/>:
    /// an enum label, a yes/no, a number, JSON of the result type). It was asked again one tier up when escalation allows
    /// (<see cref="UsageRecord.Escalations"/>, <see cref="UsageRecord.Attempts"/>); when no tier's reply validated, the caller
    /// got <see cref="PromptReplyException"/>.
    /// </summary>
    ReplyInvalid = 8,

    /// <summary>
    /// An answer of this call was cut off and asked again with a larger limit (<see cref="Truncation.TruncationChatClient"/>,
    /// policy Retry): one provider call more than the record's attempts. Reports count it in the provider calls. (A call
    /// whose answers were retried on two escalation tiers is counted once: a lower bound.)
    /// </summary>
    RetriedLonger = 16,
}
