// One source of truth for the knowledge tables (see ModelTier.cs). Keep this file netstandard2.0-compatible.
#nullable enable
using System;
using System.Globalization;

namespace PromptOps.Knowledge
{
    /// <summary>
    /// A cache time-to-live: a named policy (<c>static</c> 30 days, <c>semi-static</c> 7 days, <c>daily</c>
    /// 1 day, <c>realtime</c> 5 minutes, <c>none</c> = do not cache) or an explicit span
    /// (<c>"00:10:00"</c>, <c>"10m"</c>, <c>"7d"</c>, <c>"90s"</c>, <c>"2h"</c>).
    /// </summary>
#if PROMPTOPS_RUNTIME
    public
#else
    internal
#endif
    readonly struct CacheTtl : IEquatable<CacheTtl>
    {
        /// <summary>The longest TTL accepted (365 days); longer values are almost always a typo.</summary>
        public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(365);

        /// <summary>Do not cache.</summary>
        public static readonly CacheTtl None = new CacheTtl("none", TimeSpan.Zero);
        /// <summary>30 days: static knowledge.</summary>
        public static readonly CacheTtl Static = new CacheTtl("static", TimeSpan.FromDays(30));
        /// <summary>7 days: semi-static content.</summary>
        public static readonly CacheTtl SemiStatic = new CacheTtl("semi-static", TimeSpan.FromDays(7));
        /// <summary>1 day: content updated daily.</summary>
        public static readonly CacheTtl Daily = new CacheTtl("daily", TimeSpan.FromDays(1));
        /// <summary>5 minutes: near-real-time content.</summary>
        public static readonly CacheTtl Realtime = new CacheTtl("realtime", TimeSpan.FromMinutes(5));

        /// <summary>The valid names, for error messages.</summary>
        public const string ValidNames = "static (static_knowledge), semi-static (semi_static), daily (daily_update), realtime (real_time), none (no_cache)";

        private CacheTtl(string name, TimeSpan duration)
        {
            Name = name;
            Duration = duration;
        }

        /// <summary>The canonical name (<c>static</c>, …) or the span in invariant <c>c</c> format.</summary>
        public string Name { get; }

        /// <summary>How long an entry lives; <see cref="TimeSpan.Zero"/> for <see cref="None"/>.</summary>
        public TimeSpan Duration { get; }

        /// <summary>True when the policy is "do not cache".</summary>
        public bool IsNone => Duration == TimeSpan.Zero;

        /// <summary>An explicit TTL. Must be positive and at most <see cref="MaxDuration"/>.</summary>
        public static CacheTtl FromTimeSpan(TimeSpan duration)
        {
            if (duration <= TimeSpan.Zero)
                throw new ArgumentOutOfRangeException(nameof(duration), duration, "A cache TTL must be positive; use CacheTtl.None to disable caching.");
            if (duration > MaxDuration)
                throw new ArgumentOutOfRangeException(nameof(duration), duration, "A cache TTL may be at most 365 days.");
            return new CacheTtl(duration.ToString("c", CultureInfo.InvariantCulture), duration);
        }

        /// <summary>Parses a TTL name or span; on failure <paramref name="error"/> says what is wrong and how to fix it.</summary>
        public static bool TryParse(string? text, out CacheTtl ttl, out string? error)
        {
            ttl = default;
            error = null;
            if (text == null || text.Trim().Length == 0)
            {
                error = "The cache TTL is empty. Use one of " + ValidNames + ", or a span such as \"00:10:00\", \"10m\" or \"7d\".";
                return false;
            }

            var t = text.Trim();
            switch (ModelTiers.Normalize(t))
            {
                case "static":
                case "staticknowledge": ttl = Static; return true;
                case "semistatic": ttl = SemiStatic; return true;
                case "daily":
                case "dailyupdate": ttl = Daily; return true;
                case "realtime": ttl = Realtime; return true;
                case "none":
                case "nocache": ttl = None; return true;
            }

            TimeSpan span;
            if (!TryParseSpan(t, out span))
            {
                error = "'" + text + "' is not a cache TTL. Use one of " + ValidNames + ", or a span such as \"00:10:00\", \"10m\", \"2h\" or \"7d\".";
                return false;
            }
            if (span <= TimeSpan.Zero)
            {
                error = "The cache TTL '" + text + "' is not positive. Use \"none\" to disable caching.";
                return false;
            }
            if (span > MaxDuration)
            {
                error = "The cache TTL '" + text + "' is longer than 365 days.";
                return false;
            }
            ttl = new CacheTtl(span.ToString("c", CultureInfo.InvariantCulture), span);
            return true;
        }

        /// <summary>Parses a TTL or throws a <see cref="FormatException"/> naming the bad value.</summary>
        public static CacheTtl Parse(string text)
        {
            if (TryParse(text, out var ttl, out var error)) return ttl;
            throw new FormatException(error);
        }

        private static bool TryParseSpan(string t, out TimeSpan span)
        {
            span = default;
            // Short forms: 90s, 10m, 2h, 7d (integer or decimal number, one unit).
            var last = char.ToLowerInvariant(t[t.Length - 1]);
            if (last == 's' || last == 'm' || last == 'h' || last == 'd')
            {
                var number = t.Substring(0, t.Length - 1).Trim();
                double value;
                if (number.Length > 0 && char.IsDigit(number[0]) &&
                    double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value))
                {
                    double seconds;
                    switch (last)
                    {
                        case 's': seconds = value; break;
                        case 'm': seconds = value * 60; break;
                        case 'h': seconds = value * 3600; break;
                        default: seconds = value * 86400; break;
                    }
                    if (seconds > MaxDuration.TotalSeconds * 2) { span = TimeSpan.MaxValue; return true; }
                    span = TimeSpan.FromSeconds(seconds);
                    return true;
                }
                return false;
            }
            // Invariant TimeSpan formats: "00:10:00", "1.00:00:00", "-00:01:00" (rejected later as not positive).
            if (HasColon(t) && TimeSpan.TryParse(t, CultureInfo.InvariantCulture, out span)) return true;
            return false;
        }

        private static bool HasColon(string t)
        {
            foreach (var c in t)
            {
                if (c == ':') return true;
            }
            return false;
        }

        /// <inheritdoc />
        public bool Equals(CacheTtl other) => Duration == other.Duration;
        /// <inheritdoc />
        public override bool Equals(object? obj) => obj is CacheTtl other && Equals(other);
        /// <inheritdoc />
        public override int GetHashCode() => Duration.GetHashCode();
        /// <inheritdoc />
        public override string ToString() => Name ?? "none";
        /// <summary>Equality by duration.</summary>
        public static bool operator ==(CacheTtl left, CacheTtl right) => left.Equals(right);
        /// <summary>Inequality by duration.</summary>
        public static bool operator !=(CacheTtl left, CacheTtl right) => !left.Equals(right);
    }
}
