using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using PromptOps.Tokens;

namespace PromptOps.Conversations;

/// <summary>
/// Cuts a conversation's history to a token budget (<see cref="ConversationBudgetOptions.MaxInputTokens"/>), by these rules:
/// <list type="bullet">
/// <item>system messages are never dropped (a system message inside the dropped part is kept, in order, before the rest);</item>
/// <item>a <see cref="FunctionCallContent"/> and the <see cref="FunctionResultContent"/> with its call id are dropped or kept
/// together — the cut never falls between them;</item>
/// <item>the cut falls before a user message, so the kept history starts with a user turn (what providers that want turns
/// to alternate expect);</item>
/// <item>the latest user message is always kept; when cutting before it is not enough (an agent loop's tool rounds after
/// it), whole rounds after it go, oldest first (dropped, not summarized), always keeping the latest; when even that does
/// not fit (a system prompt larger than the budget, one huge tool result), <see cref="ConversationBudgetExceededException"/>
/// is thrown and nothing is sent;</item>
/// <item>turns go in blocks of about <see cref="ConversationBudgetOptions.DropBlockTokens"/> tokens counted from the start, so
/// the kept prefix stays the same for several turns (provider prompt caching, summary reuse);</item>
/// <item><see cref="ConversationBudgetStrategy.Summarize"/>: the dropped turns become one system message right after the
/// leading system messages, written by the summarizer with <see cref="ConversationBudgetOptions.SummaryMaxOutputTokens"/>
/// as its limit (that room is kept in the budget; a longer answer is cut to it). A summary is remembered by the hash of what
/// it covers: the next turn with the same cut reuses it, and a later cut summarizes the previous summary and the newly
/// dropped turns only.</item>
/// </list>
/// A history that fits is returned as it is. The caller's list is never changed; the same input and summaries give the same
/// output. Also an <see cref="IChatReducer"/> for Microsoft.Extensions.AI's <c>UseChatReducer</c> (it then counts without
/// the request's instructions and tools, which a reducer does not see, and summarizes with
/// <see cref="ConversationBudgetOptions.Summarizer"/>).
/// </summary>
[Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
public sealed class ConversationReducer : IChatReducer
{
    /// <summary>The <see cref="ChatMessage.AdditionalProperties"/> key that marks a summary message (value: the number of messages it replaces).</summary>
    public const string SummaryMarkerKey = "promptops.conversation.summary";

    /// <summary>The prompt id the summary call carries in its <see cref="PromptOpsMetadata"/> (the ledger groups its cost under it).</summary>
    public const string SummaryPromptId = "PromptOps.ConversationSummary";

    /// <summary>What the summary message starts with.</summary>
    public const string SummaryHeader = "Summary of the earlier conversation: ";

    private readonly ConversationBudgetOptions _options;
    private readonly SummaryMemory _summaries;

    /// <summary>Creates the reducer; invalid options throw an <see cref="ArgumentException"/> naming the bad value.</summary>
    public ConversationReducer(ConversationBudgetOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Clone();
        var errors = _options.GetErrors().ToList();
        if (errors.Count > 0) throw new ArgumentException(string.Join(Environment.NewLine, errors), nameof(options));
        _summaries = new SummaryMemory(_options.MaxRememberedSummaries);
    }

    /// <summary>The options in effect (a copy).</summary>
    public ConversationBudgetOptions Options => _options.Clone();

    /// <summary>The number of summaries remembered now.</summary>
    public int RememberedSummaries => _summaries.Count;

    /// <inheritdoc />
    async Task<IEnumerable<ChatMessage>> IChatReducer.ReduceAsync(IEnumerable<ChatMessage> messages, CancellationToken cancellationToken) =>
        (await ReduceAsync(messages, options: null, _options.Summarizer, cancellationToken).ConfigureAwait(false)).Messages;

    /// <summary>
    /// The history cut to the budget for a request with <paramref name="options"/> (its instructions and tools count, and its
    /// model picks the tokenizer unless <see cref="ConversationBudgetOptions.TokenizerModelId"/> is set).
    /// </summary>
    /// <param name="messages">The whole history, as the caller sends it; not changed.</param>
    /// <param name="options">The request's options; the summary call copies its user, tenant, endpoint and cache scope.</param>
    /// <param name="summarizer">Writes summaries (<see cref="ConversationBudgetStrategy.Summarize"/>); <see cref="ConversationBudgetOptions.Summarizer"/> wins.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <exception cref="ConversationBudgetExceededException">Even the smallest history the rules allow is over the budget.</exception>
    /// <exception cref="InvalidOperationException">Summarizing is needed and there is no summarizer.</exception>
    public async Task<ConversationReduction> ReduceAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, IChatClient? summarizer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is null) throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"messages[{i}] is null."), nameof(messages));
        }

        var plan = Plan(list, options);
        if (plan.Cut == 0 && plan.InnerStart == plan.InnerEnd) return new ConversationReduction(list, 0, plan.TotalTokens, plan.TotalTokens, null, SummarySource.None);

        var kept = new List<ChatMessage>(list.Count - plan.Cut + 2);
        var dropped = 0;
        for (var i = 0; i < plan.Cut; i++)
        {
            if (list[i].Role == ChatRole.System) kept.Add(list[i]);
            else dropped++;
        }

        var droppedBeforeUser = dropped;

        ChatMessage? summary = null;
        var source = SummarySource.None;
        var summaryTokens = 0;
        if (_options.Strategy == ConversationBudgetStrategy.Summarize && droppedBeforeUser > 0)
        {
            var client = _options.Summarizer ?? summarizer
                ?? throw new InvalidOperationException("ConversationBudgetOptions.Strategy is Summarize but there is no summarizer: set ConversationBudgetOptions.Summarizer (an IChatReducer has no inner client).");
            (var text, source) = await SummarizeAsync(list, plan, options, client, cancellationToken).ConfigureAwait(false);
            if (text.Length > 0)
            {
                summary = new ChatMessage(ChatRole.System, SummaryHeader + text)
                {
                    AdditionalProperties = new AdditionalPropertiesDictionary { [SummaryMarkerKey] = droppedBeforeUser },
                };
                summaryTokens = MessageTokens(summary, plan.ModelId);
                kept.Add(summary);
            }
        }

        for (var i = plan.Cut; i < plan.InnerStart; i++) kept.Add(list[i]);
        for (var i = plan.InnerStart; i < plan.InnerEnd; i++)
        {
            if (list[i].Role == ChatRole.System) kept.Add(list[i]);
            else dropped++;
        }

        for (var i = plan.InnerEnd; i < list.Count; i++) kept.Add(list[i]);
        var after = plan.TotalTokens - plan.DroppedTokens + summaryTokens;
        return new ConversationReduction(kept, dropped, plan.TotalTokens, after, summary, source);
    }

    /// <summary>Where the cut falls (0: nothing to drop) and what the request counts.</summary>
    private CutPlan Plan(IReadOnlyList<ChatMessage> list, ChatOptions? options)
    {
        var modelId = _options.TokenizerModelId ?? options?.ModelId;
        var counter = TokenCounters.ForModel(modelId);
        var n = list.Count;
        var tokens = new int[n];
        var fixedTokens = RequestTokens.Count([], options, modelId);
        var historyTokens = 0;
        for (var i = 0; i < n; i++)
        {
            tokens[i] = MessageTokens(list[i], modelId);
            if (list[i].Role == ChatRole.System) fixedTokens += tokens[i];
            else historyTokens += tokens[i];
        }

        var total = fixedTokens + historyTokens;
        var max = _options.MaxInputTokens;
        if (total <= max) return new CutPlan(0, total, 0, modelId, n, n);

        // dropped[c]: the droppable tokens before a cut at c (system messages stay wherever the cut is).
        var dropped = new int[n + 1];
        for (var i = 0; i < n; i++) dropped[i + 1] = dropped[i] + (list[i].Role == ChatRole.System ? 0 : tokens[i]);
        var safe = SafeCuts(list);
        var lastUser = -1;
        for (var i = n - 1; i >= 0 && lastUser < 0; i--)
        {
            if (list[i].Role == ChatRole.User) lastUser = i;
        }

        var limit = lastUser; // the latest user message is kept; without one, nothing can be cut
        var reserve = _options.Strategy == ConversationBudgetStrategy.Summarize
            ? _options.SummaryMaxOutputTokens + RequestTokens.PerMessageTokens + counter.CountTokens(SummaryHeader)
            : 0;
        int Kept(int c) => total - dropped[c] + reserve;

        if (Choose() is { } cut) return new CutPlan(cut, total, dropped[cut], modelId, n, n);
        if (lastUser < 0)
        {
            throw new ConversationBudgetExceededException(total, max, fixedTokens, total - fixedTokens, options.GetPromptOpsUserId());
        }

        // Cutting before the latest user message is not enough: cut there (as far as a safe cut allows), then drop whole
        // rounds after it — an agent loop's tool calls and results — oldest first, keeping the latest round.
        var prefix = 0;
        for (var c = lastUser; c >= 1 && prefix == 0; c--)
        {
            if (safe[c] && list[c].Role == ChatRole.User) prefix = c;
        }

        var start = lastUser + 1;
        var prefixReserve = dropped[prefix] > 0 ? reserve : 0;
        int KeptInner(int k) => total - dropped[prefix] - (dropped[k] - dropped[start]) + prefixReserve;
        bool Round(int k) => safe[k] && list[k].Role == ChatRole.Assistant;
        int? least = null, last = null;
        for (var k = start + 1; start < n && safe[start] && k < n; k++)
        {
            if (!Round(k)) continue;
            last = k;
            if (least is null && KeptInner(k) <= max) least = k;
        }

        if (least is not { } firstRound)
        {
            var required = last is { } smallest ? KeptInner(smallest) : total - dropped[prefix] + prefixReserve;
            throw new ConversationBudgetExceededException(required, max, fixedTokens, required - fixedTokens - prefixReserve, options.GetPromptOpsUserId());
        }

        var end = firstRound;
        var roundBlock = _options.EffectiveDropBlockTokens;
        if (roundBlock > 0)
        {
            var roundBoundary = (dropped[firstRound] + roundBlock - 1L) / roundBlock * roundBlock;
            for (var k = firstRound + 1; k < n && dropped[k] <= roundBoundary; k++)
            {
                if (Round(k)) end = k;
            }
        }

        return new CutPlan(prefix, total, dropped[prefix] + dropped[end] - dropped[start], modelId, start, end);

        int? Choose()
        {
            int? first = null;
            for (var c = 1; c <= limit; c++)
            {
                if (safe[c] && list[c].Role == ChatRole.User && Kept(c) <= max)
                {
                    first = c;
                    break;
                }
            }

            if (first is not { } least) return null;
            var block = _options.EffectiveDropBlockTokens;
            if (block <= 0) return least;
            // Round the dropped tokens up to the next block boundary: the cut stays put until the history grows past it.
            var boundary = (dropped[least] + block - 1L) / block * block;
            var chosen = least;
            for (var c = least + 1; c <= limit && dropped[c] <= boundary; c++)
            {
                if (safe[c] && list[c].Role == ChatRole.User) chosen = c;
            }

            return chosen;
        }
    }

    /// <summary>safe[c]: a cut before message c separates no function call from its result.</summary>
    private static bool[] SafeCuts(IReadOnlyList<ChatMessage> list)
    {
        var n = list.Count;
        var calls = new Dictionary<string, int>(StringComparer.Ordinal);
        var results = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < n; i++)
        {
            foreach (var content in list[i].Contents)
            {
                if (content is FunctionCallContent { CallId: { Length: > 0 } callId }) calls.TryAdd(callId, i);
                else if (content is FunctionResultContent { CallId: { Length: > 0 } resultId }) results[resultId] = i;
            }
        }

        var crossing = new int[n + 2];
        foreach (var (callId, at) in calls)
        {
            if (!results.TryGetValue(callId, out var resultAt) || resultAt == at) continue;
            var (low, high) = at < resultAt ? (at, resultAt) : (resultAt, at);
            crossing[low + 1]++; // cuts low+1 … high fall between the two
            crossing[high + 1]--;
        }

        var safe = new bool[n + 1];
        var open = 0;
        for (var c = 0; c <= n; c++)
        {
            open += crossing[c];
            safe[c] = open == 0;
        }

        return safe;
    }

    private async Task<(string Text, SummarySource Source)> SummarizeAsync(IReadOnlyList<ChatMessage> list, CutPlan plan, ChatOptions? requestOptions,
        IChatClient client, CancellationToken cancellationToken)
    {
        // Hash of the droppable messages before each cut: a summary is remembered under the hash of what it covers.
        var hashes = PrefixHashes(list, plan.Cut);
        if (_summaries.TryGet(hashes[plan.Cut], out var remembered)) return (remembered, SummarySource.Remembered);

        var from = 0;
        string? previous = null;
        for (var c = plan.Cut - 1; c > 0; c--)
        {
            if (_summaries.TryGet(hashes[c], out var earlier))
            {
                from = c;
                previous = earlier;
                break;
            }
        }

        var transcript = new StringBuilder();
        if (previous is not null) transcript.Append("Summary so far:\n").Append(previous).Append("\n\nWhat followed:\n");
        for (var i = from; i < plan.Cut; i++)
        {
            if (list[i].Role != ChatRole.System) AppendTranscript(transcript, list[i]);
        }

        var meta = requestOptions.GetPromptOps();
        var summaryOptions = new ChatOptions
        {
            ModelId = _options.SummaryModelId ?? requestOptions?.ModelId,
            MaxOutputTokens = _options.SummaryMaxOutputTokens,
        }.WithPromptOps(new PromptOpsMetadata
        {
            PromptId = SummaryPromptId,
            PromptVersion = Hex(SHA256.HashData(Encoding.UTF8.GetBytes(_options.SummaryInstructions)))[..16],
            Task = "summary",
            UserId = meta?.UserId,
            TenantId = meta?.TenantId,
            Endpoint = meta?.Endpoint,
            CacheScope = meta?.CacheScope,
        });
        var response = await client.GetResponseAsync(
            [new ChatMessage(ChatRole.System, _options.SummaryInstructions), new ChatMessage(ChatRole.User, transcript.ToString())],
            summaryOptions, cancellationToken).ConfigureAwait(false);
        var text = (response.Text ?? string.Empty).Trim();
        if (text.Length == 0) return (string.Empty, SummarySource.Empty);
        // The room kept in the budget is the summary's limit: a provider that writes more is cut to it.
        text = plan.Counter.Truncate(text, _options.SummaryMaxOutputTokens);
        _summaries.Set(hashes[plan.Cut], text);
        return (text, SummarySource.Called);
    }

    private static void AppendTranscript(StringBuilder transcript, ChatMessage message)
    {
        var role = message.Role.Value;
        foreach (var content in message.Contents)
        {
            switch (content)
            {
                case TextContent { Text.Length: > 0 } text:
                    transcript.Append(role).Append(": ").Append(text.Text).Append('\n');
                    break;
                case FunctionCallContent call:
                    transcript.Append(role).Append(" called ").Append(call.Name).Append('(')
                        .Append(call.Arguments is null ? string.Empty : JsonSerializer.Serialize(call.Arguments, AIJsonUtilities.DefaultOptions))
                        .Append(") as ").Append(call.CallId).Append('\n');
                    break;
                case FunctionResultContent result:
                    transcript.Append("result of ").Append(result.CallId).Append(": ")
                        .Append(result.Result as string ?? (result.Result is null ? "null" : JsonSerializer.Serialize(result.Result, AIJsonUtilities.DefaultOptions))).Append('\n');
                    break;
            }
        }
    }

    /// <summary>hashes[c]: SHA-256 chained over the non-system messages before c, in the form the summarizer reads them.</summary>
    private static string[] PrefixHashes(IReadOnlyList<ChatMessage> list, int upTo)
    {
        var hashes = new string[upTo + 1];
        var state = new byte[32];
        hashes[0] = Hex(state);
        for (var i = 0; i < upTo; i++)
        {
            if (list[i].Role != ChatRole.System)
            {
                var line = new StringBuilder();
                AppendTranscript(line, list[i]);
                var json = Encoding.UTF8.GetBytes(line.ToString());
                var buffer = new byte[state.Length + json.Length];
                state.CopyTo(buffer, 0);
                json.CopyTo(buffer, state.Length);
                state = SHA256.HashData(buffer);
            }

            hashes[i + 1] = Hex(state);
        }

        return hashes;
    }

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes);

    /// <summary>One message's share of <see cref="RequestTokens.Count"/> (its text and the per-message overhead).</summary>
    private static int MessageTokens(ChatMessage message, string? modelId) =>
        RequestTokens.Count([message], null, modelId) - RequestTokens.ReplyPrimingTokens;

    /// <summary>Drop the droppable messages before <see cref="Cut"/> and between <see cref="InnerStart"/> and <see cref="InnerEnd"/> (equal: none).</summary>
    private readonly record struct CutPlan(int Cut, int TotalTokens, int DroppedTokens, string? ModelId, int InnerStart, int InnerEnd)
    {
        public ITokenCounter Counter => TokenCounters.ForModel(ModelId);
    }

    /// <summary>Summaries by the hash of what they cover; the oldest goes first when full.</summary>
    private sealed class SummaryMemory(int capacity)
    {
        private readonly Dictionary<string, string> _entries = new(StringComparer.Ordinal);
        private readonly Queue<string> _order = new();
        private readonly object _lock = new();

        public int Count
        {
            get
            {
                lock (_lock) return _entries.Count;
            }
        }

        public bool TryGet(string key, out string value)
        {
            lock (_lock) return _entries.TryGetValue(key, out value!);
        }

        public void Set(string key, string value)
        {
            lock (_lock)
            {
                if (_entries.TryAdd(key, value)) _order.Enqueue(key);
                else _entries[key] = value;
                while (_entries.Count > capacity) _entries.Remove(_order.Dequeue());
            }
        }
    }
}
