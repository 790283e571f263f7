namespace SupportTriage;

/// <summary>One request of the trace.</summary>
/// <param name="Burst">Sent right after the previous request (a script hammering the API): the clock does not move.</param>
public sealed record TraceItem(int Index, string UserId, string Plan, TraceKind Kind, string Text, bool Burst = false);

/// <summary>What the request asks the desk to do.</summary>
public enum TraceKind
{
    Classify,
    Urgency,
    Summary,
    Faq,
    Account,
}

/// <summary>
/// A deterministic support-desk day: tickets (classified and checked for urgency as they arrive, some summarized),
/// FAQ questions that users repeat word for word (picked from the help centre's suggestions), account questions per
/// user, and one burst from a free user's script that the plan's daily quota refuses. Topics follow a Zipf-like law, as real traffic does: a few make up most requests. The same seed always gives
/// the same trace.
/// </summary>
public static class Trace
{
    private static readonly string[] Tickets =
    [
        "My card was charged twice for the same order.",
        "The app crashes as soon as I open the settings page.",
        "I cannot log in: the password reset email never arrives.",
        "Where is my parcel? The tracking page has not changed for a week.",
        "Please cancel my subscription and refund the last payment.",
        "The invoice for March shows the wrong company address.",
        "Two-factor codes are rejected every time I try to sign in.",
        "The export to CSV button does nothing in Firefox.",
        "My account was locked after I changed my phone number.",
        "The parcel arrived damaged; I would like a replacement.",
        "I was billed for the premium plan but I am on the basic plan.",
        "The mobile app shows a blank screen after the latest update.",
        "How do I move my account to another email address?",
        "The delivery was left at the wrong address.",
        "Payment failed with error 402 although my card is valid.",
        "Search results load very slowly since yesterday.",
        "I want to delete my account and all my data.",
        "The courier says the address is incomplete.",
        "Our whole team gets a 500 error on the dashboard right now.",
        "The discount code from your newsletter is not accepted at checkout.",
    ];

    private static readonly string[] Questions =
    [
        "How do I reset my password?",
        "What are your opening hours?",
        "Do you ship abroad?",
        "How long does a refund take?",
        "Can I change my delivery address after ordering?",
        "How do I download an invoice?",
        "Which payment methods do you accept?",
        "How do I enable two-factor authentication?",
        "Can I pause my subscription?",
        "How do I contact a human agent?",
        "Is there a student discount?",
        "How do I export my data?",
    ];

    private static readonly string[] AccountQuestions =
    [
        "What is the status of my last order?",
        "Which plan am I on?",
        "When is my next invoice due?",
    ];

    /// <summary>Users and their plans: most on free and starter, a few on pro and enterprise.</summary>
    public static readonly IReadOnlyList<(string UserId, string Plan)> Users =
    [
        .. Enumerable.Range(1, 12).Select(i => ($"user-{i:00}", "free")),
        .. Enumerable.Range(13, 8).Select(i => ($"user-{i:00}", "starter")),
        .. Enumerable.Range(21, 4).Select(i => ($"user-{i:00}", "pro")),
        ("user-25", "enterprise"),
    ];

    /// <summary>The trace: <paramref name="requests"/> requests from <paramref name="seed"/>.</summary>
    public static IReadOnlyList<TraceItem> Create(int requests, int seed = 2026)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(requests);
        var random = new Random(seed);
        var items = new List<TraceItem>(requests);
        while (items.Count < requests)
        {
            // Enterprise and pro users send more traffic than free users.
            var (user, plan) = Users[Math.Min(Users.Count - 1, (int)(Users.Count * Math.Pow(random.NextDouble(), 0.7)))];
            var roll = random.NextDouble();
            if (roll < 0.45)
            {
                // A ticket arrives: classify it, check urgency, summarize one in three. Tickets are unique (each names
                // its own order), so the exact cache cannot answer them: their saving comes from routing and limits.
                var ticket = $"{Tickets[Zipf(random, Tickets.Length)]} Order #{random.Next(100_000, 999_999)}.";
                items.Add(new(items.Count, user, plan, TraceKind.Classify, ticket));
                items.Add(new(items.Count, user, plan, TraceKind.Urgency, ticket));
                if (random.NextDouble() < 0.33) items.Add(new(items.Count, user, plan, TraceKind.Summary, ticket));
            }
            else if (roll < 0.90)
            {
                items.Add(new(items.Count, user, plan, TraceKind.Faq, Questions[Zipf(random, Questions.Length)]));
            }
            else
            {
                items.Add(new(items.Count, user, plan, TraceKind.Account, AccountQuestions[random.Next(AccountQuestions.Length)]));
            }
        }

        // Halfway through, a free user's script sends 30 FAQ requests at once: the free plan allows 10 a day.
        var burstAt = requests / 2;
        var burst = Enumerable.Range(0, Math.Min(30, requests / 10))
            .Select(i => new TraceItem(0, "user-03", "free", TraceKind.Faq, Questions[i % Questions.Length] + $" (ticket {i})", Burst: true));
        return items.Take(burstAt).Concat(burst).Concat(items.Skip(burstAt)).Take(requests)
            .Select((item, i) => item with { Index = i }).ToList();
    }

    /// <summary>An index in [0, n) with P(i) ∝ 1 / (i + 1).</summary>
    private static int Zipf(Random random, int n)
    {
        var total = 0.0;
        for (var i = 1; i <= n; i++) total += 1.0 / i;
        var target = random.NextDouble() * total;
        for (var i = 1; i <= n; i++)
        {
            target -= 1.0 / i;
            if (target <= 0) return i - 1;
        }

        return n - 1;
    }
}
