namespace PromptOps;

/// <summary>
/// Marks a <c>partial</c> method whose body the PromptOps generator writes: it builds the messages from
/// <see cref="System"/> and <see cref="User"/>, sets the output-token limit, tier, cache TTL, cache scope and
/// prompt version on the request, calls the containing type's <c>IChatClient</c> and returns a typed value.
/// </summary>
/// <example><code>
/// [Prompt(Task = "classification", CacheTtl = "static", System = "Classify the ticket.", User = "{ticket}")]
/// public partial Task&lt;TicketCategory&gt; ClassifyAsync(string ticket, CancellationToken ct = default);
/// </code></example>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class PromptAttribute : Attribute
{
    /// <summary>The task kind (<c>classification</c>, <c>summary</c>, …); sets the default output-token limit and tier.</summary>
    public string? Task { get; set; }

    /// <summary>Cache TTL: <c>static</c>, <c>semi-static</c>, <c>daily</c>, <c>realtime</c>, <c>none</c>, or a span (<c>"10m"</c>, <c>"00:10:00"</c>).</summary>
    public string? CacheTtl { get; set; }

    /// <summary>The system prompt template. <c>{name}</c> binds a parameter; <c>{{</c> and <c>}}</c> escape braces.</summary>
    public string? System { get; set; }

    /// <summary>The user message template. <c>{name}</c> binds a parameter; <c>{{</c> and <c>}}</c> escape braces.</summary>
    public string? User { get; set; }

    /// <summary>The output-token limit; overrides the task default. 0 means "use the task default".</summary>
    public int MaxTokens { get; set; }

    /// <summary>The routing tier (<c>fast_cheap</c>, <c>balanced</c>, <c>high_quality</c>, <c>best</c>); overrides the task default.</summary>
    public string? Tier { get; set; }

    /// <summary>Sampling temperature. <see cref="double.NaN"/> (the default) means "not set".</summary>
    public double Temperature { get; set; } = double.NaN;

    /// <summary>The most input tokens the rendered prompt may have; 0 means no limit.</summary>
    public int MaxInputTokens { get; set; }

    /// <summary>
    /// The similarity a semantic cache hit needs for this prompt, in (0, 1]; <see cref="double.NaN"/> (the default)
    /// means <c>PromptOps:Cache:Semantic:Threshold</c>. Used only when the semantic layer is on. Raise it for prompts
    /// where near-duplicates need different answers; lower it only with a measurement (benchmarks/README.md, section 7).
    /// </summary>
    public double SemanticThreshold { get; set; } = double.NaN;

    /// <summary>
    /// What to do when the reply is cut off at the output-token limit: <c>"return"</c> (flagged:
    /// <c>PromptResult&lt;T&gt;.Truncated</c>), <c>"throw"</c> (<see cref="PromptTruncatedException"/> with the partial text)
    /// or <c>"retry"</c> (once, with a larger limit: <c>PromptOps:Truncation:RetryFactor</c>, at most <c>MaxRetryTokens</c>).
    /// Null: <c>PromptOps:Truncation</c> decides — retry for an enum, bool, number or JSON result, return for text. Applied
    /// by the <c>UsePromptOps</c> pipeline; anything else is PO1011.
    /// </summary>
    public string? OnTruncation { get; set; }

    /// <summary>
    /// The answer length the prompt asks for, for a free-text (<c>string</c>) result: <c>"40 words"</c>, <c>"2 sentences"</c>,
    /// or for a Japanese prompt <c>"100文字"</c> (<c>"100 characters"</c>); <c>""</c> asks for none. Null (the default): the
    /// task's length at the method's output limit (short_answer 30 words / 50文字, summary 120 words / 200文字, …; none for
    /// one-word, code and translation tasks). Written after the system prompt (or the user template when there is no
    /// system prompt) as <c>Answer in at most N words.</c> or <c>N文字以内で答えてください。</c>. A malformed value is PO1016;
    /// a length that does not fit the output limit with margin is PO1017.
    /// </summary>
    public string? Length { get; set; }

    /// <summary>
    /// The smallest value a number result may have; <see cref="double.NaN"/> (the default): no minimum. The prompt states the
    /// range, and a reply outside it is not a valid reply: asked again one tier up (<c>PromptOps:Escalation</c>), then
    /// <see cref="PromptReplyException"/>. On another result type, or above <see cref="Maximum"/>, it is PO1011.
    /// </summary>
    public double Minimum { get; set; } = double.NaN;

    /// <summary>The largest value a number result may have; <see cref="double.NaN"/> (the default): no maximum. See <see cref="Minimum"/>.</summary>
    public double Maximum { get; set; } = double.NaN;

    /// <summary>
    /// The call can wait for the provider's batch API (up to a day, at the batch discount): the generated call marks its
    /// request deferrable (<see cref="PromptOpsMetadata.Deferrable"/>), and with batching registered
    /// (<c>services.AddPromptOpsBatching(…)</c>) the <c>UsePromptOps</c> pipeline queues it into a provider batch; the returned
    /// task completes when the batch has answered, priced at the batch rate. Without batching registered the call is made at
    /// once and priced in full (what the provider bills). Default false. It does not change the prompt
    /// version (the answer is the same).
    /// </summary>
    public bool Deferrable { get; set; }
}
