using System.Globalization;

namespace FastLoad.Engine.Shapes;

/// <summary>
/// How the load is spread over time (<c>--shape</c>): a function from token index to intended send time. Parsed once
/// (cold); each node's sender gets its own <see cref="ArrivalSchedule"/> share of it.
/// </summary>
public abstract class LoadShape
{
    /// <summary>The shape as written on the command line, canonical (e.g. <c>ramp:50..300</c>); stored in <c>runs.shape</c>.</summary>
    public abstract string Text { get; }

    /// <summary>Node <paramref name="node"/>'s share of the schedule when there are <paramref name="nodes"/> nodes.</summary>
    public abstract ArrivalSchedule ForNode(int node, int nodes, BlockClock blocks);

    /// <summary>The shape's total tx/s at <paramref name="seconds"/> after the start (the live view's target).</summary>
    public abstract double RateAt(double seconds, BlockClock blocks);

    /// <summary>The highest tx/s the shape asks for (sizes the presigned rings).</summary>
    public abstract double PeakRate { get; }

    /// <summary>Txs that may come due at one instant (a burst); the rings hold at least that many.</summary>
    public virtual long BurstSize => 0;

    /// <summary>About how many txs a run of <paramref name="seconds"/> sends (funds the wallets; a generous estimate).</summary>
    public abstract double ExpectedTxs(double seconds);

    /// <summary>The run's nominal mean rate (<c>runs.target_rate</c>), or null when it depends on the chain (per-block).</summary>
    public abstract double? NominalRate(TimeSpan? duration);

    /// <summary>The duration the shape implies when none is given (steps: one hold per level), or null.</summary>
    public virtual TimeSpan? ImpliedDuration => null;

    /// <summary>The shape's closed-form schedule when it has one (constant, ramp, steps, burst), so it can be a phase of a <see cref="SequenceShape"/>.</summary>
    internal virtual Timeline? Timeline => null;

    /// <summary>Whether tokens come due only as new blocks are seen.</summary>
    public virtual bool NeedsBlocks => false;

    /// <summary>Human text for the log and summary, e.g. "ramp 50 → 300 tx/s over 10 s".</summary>
    public abstract string Describe(TimeSpan? duration);

    public override string ToString() => Text;

    /// <summary>
    /// Parses <c>--shape</c>. <paramref name="rate"/> is <c>--rate</c> (used by constant and poisson), <paramref name="duration"/>
    /// <c>--duration</c> as given (null when not), <paramref name="seed"/> seeds poisson. Throws <see cref="ArgumentException"/>
    /// with a one-line message saying what is wrong and how to write it.
    /// </summary>
    public static LoadShape Parse(string text, double? rate, TimeSpan? duration, ulong seed)
    {
        string t = text.Trim();
        int colon = t.IndexOf(':', StringComparison.Ordinal);
        string name = colon < 0 ? t : t[..colon];
        string args = colon < 0 ? "" : t[(colon + 1)..];
        switch (name)
        {
            case "constant":
                NoArgs(t, args, "constant");
                return new ConstantShape(rate ?? throw Bad(t, "constant needs --rate"));
            case "poisson":
                NoArgs(t, args, "poisson");
                return new PoissonShape(rate ?? throw Bad(t, "poisson needs --rate (the mean tx/s)"), seed);
            case "ramp":
            {
                (double from, double to) = Range(t, args, "ramp:FROM..TO, e.g. ramp:100..1000", allowZero: true);
                if (from == 0 && to == 0) throw Bad(t, "a ramp from 0 to 0 sends nothing: give a rate above 0 at one end");
                if (duration is not TimeSpan d) throw Bad(t, "a ramp rises over --duration: add e.g. --duration 60s");
                return new RampShape(from, to, d.TotalSeconds);
            }
            case "steps":
            {
                const string form = "steps:FROM..TO:STEP/HOLD, e.g. steps:1000..5000:1000/30s";
                int c2 = args.LastIndexOf(':');
                if (c2 < 0) throw Bad(t, $"write it as {form}");
                (double from, double to) = Range(t, args[..c2], form, allowZero: false);
                if (from > to) throw Bad(t, $"FROM ({Num(from)}) is above TO ({Num(to)}): steps go up; write {form}");
                string[] stepHold = args[(c2 + 1)..].Split('/');
                if (stepHold.Length != 2) throw Bad(t, $"write it as {form}");
                double step = Rate(t, stepHold[0], "STEP", form);
                double hold = Seconds(t, stepHold[1], "HOLD", form);
                return new StepsShape(from, to, step, hold);
            }
            case "burst":
            {
                const string form = "burst:N/EVERY, e.g. burst:1000/10s";
                string[] parts = args.Split('/');
                if (parts.Length != 2) throw Bad(t, $"write it as {form}");
                long n = Count(t, parts[0], "N", form);
                double every = Seconds(t, parts[1], "EVERY", form);
                return new BurstShape(n, every);
            }
            case "per-block":
            {
                const string form = "per-block:K, e.g. per-block:200";
                return new PerBlockShape(Count(t, args, "K", form));
            }
            default:
                throw Bad(t, "unknown shape: use constant, ramp:FROM..TO, steps:FROM..TO:STEP/HOLD, burst:N/EVERY, poisson or per-block:K");
        }
    }

    /// <summary>A 64-bit seed from a text seed (<c>--seed</c>): the first 8 bytes of its SHA-256.</summary>
    public static ulong SeedFrom(string text) =>
        BitConverter.ToUInt64(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)), 0);

    internal static string Num(double value) => value.ToString("#,0.###", CultureInfo.InvariantCulture);

    internal static string Span(double seconds) => seconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";

    private static ArgumentException Bad(string text, string why) => new($"--shape '{text}': {why}");

    private static void NoArgs(string text, string args, string name)
    {
        if (args.Length > 0) throw Bad(text, $"{name} takes no arguments{(name == "constant" ? ": its rate is --rate" : ": its mean rate is --rate")}");
    }

    private static (double From, double To) Range(string text, string args, string form, bool allowZero)
    {
        int dots = args.IndexOf("..", StringComparison.Ordinal);
        if (dots < 0) throw Bad(text, $"write it as {form}");
        double from = Rate(text, args[..dots], "FROM", form, allowZero);
        double to = Rate(text, args[(dots + 2)..], "TO", form, allowZero);
        return (from, to);
    }

    private static double Rate(string text, string value, string what, string form, bool allowZero = false)
    {
        if (!double.TryParse(value.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double rate) || !double.IsFinite(rate) || rate < 0 || (rate == 0 && !allowZero))
            throw Bad(text, $"{what} '{value}' is not a {(allowZero ? "rate of 0 or more" : "positive rate")} in tx/s; write {form}");
        return rate;
    }

    private static long Count(string text, string value, string what, string form)
    {
        if (!long.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long n) || n < 1)
            throw Bad(text, $"{what} '{value}' is not a whole number of txs above 0; write {form}");
        return n;
    }

    /// <summary>"30s", "500ms", "2m", "1h" (a bare number is seconds).</summary>
    private static double Seconds(string text, string value, string what, string form)
    {
        string v = value.Trim();
        (string number, double unit) = v.EndsWith("ms", StringComparison.Ordinal) ? (v[..^2], 0.001)
            : v.EndsWith('s') ? (v[..^1], 1)
            : v.EndsWith('m') ? (v[..^1], 60)
            : v.EndsWith('h') ? (v[..^1], 3600)
            : (v, 1);
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double n) || !double.IsFinite(n) || n <= 0)
            throw Bad(text, $"{what} '{value}' is not a duration above 0 (e.g. 500ms, 30s, 2m); write {form}");
        return n * unit;
    }
}
