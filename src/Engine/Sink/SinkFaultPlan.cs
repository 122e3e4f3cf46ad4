using System.Globalization;
using System.Text;

namespace FastLoad.Engine.Sink;

/// <summary>A fault the sink injects into a whole HTTP request (see <see cref="SinkFaultPlan"/>).</summary>
public enum SinkFaultKind : byte
{
    /// <summary><c>429</c>: answer HTTP 429 with <c>Retry-After</c>; nothing is processed or forwarded.</summary>
    TooManyRequests,

    /// <summary><c>500</c>: answer HTTP 500; nothing is processed or forwarded.</summary>
    InternalError,

    /// <summary><c>503</c>: answer HTTP 503 (with <c>Retry-After</c> when given); nothing is processed or forwarded.</summary>
    Unavailable,

    /// <summary><c>reset-before</c>: read the request, then reset the connection (RST) without processing or forwarding it.</summary>
    ResetBefore,

    /// <summary><c>reset-after</c>: process (or forward) the request, then reset the connection without answering.</summary>
    ResetAfter,

    /// <summary><c>cut</c>: process (or forward), send the head and half the body, then close the connection.</summary>
    Cut,

    /// <summary><c>slow</c>: process (or forward), wait <see cref="SinkFaultRule.Delay"/>, then answer.</summary>
    Slow,

    /// <summary><c>malformed</c>: process (or forward), then answer 200 with the first half of the JSON body (invalid JSON).</summary>
    Malformed,

    /// <summary><c>missing-ids</c>: process (or forward), then drop about half (at least one) of a batch reply's entries.</summary>
    MissingIds,

    /// <summary><c>extra-ids</c>: process (or forward), then add an entry with an id nobody asked for to a batch reply.</summary>
    ExtraIds,
}

/// <summary>The tx errors <c>tx-error</c> can inject; each node client words them its own way (<see cref="TxErrorMessages"/>).</summary>
public enum TxErrorKind : byte
{
    NonceTooLow,
    NonceTooHigh,
    AlreadyKnown,
    ReplacementUnderpriced,
    Underpriced,
    InsufficientFunds,
    TxPoolFull,
}

/// <summary>One request-level fault of a plan.</summary>
/// <param name="Kind">What to do to the request.</param>
/// <param name="Rate">Probability per HTTP request, 0..1.</param>
/// <param name="RetryAfterSeconds">The <c>Retry-After</c> header of a 429 or 503; null for none.</param>
/// <param name="Delay">How long <see cref="SinkFaultKind.Slow"/> holds the answer.</param>
public sealed record SinkFaultRule(SinkFaultKind Kind, double Rate, int? RetryAfterSeconds, TimeSpan Delay)
{
    /// <summary>The fault's name in a spec: <c>429</c>, <c>reset-after</c>, ….</summary>
    public string Name => SinkFaultPlan.KindName(Kind);
}

/// <summary>One <c>tx-error</c> entry of a plan: the JSON-RPC error (as <paramref name="Client"/> words it) given to a tx.</summary>
/// <param name="Error">Which error.</param>
/// <param name="Client">Whose wording: geth, reth, anvil or hardhat.</param>
/// <param name="Rate">Probability per <c>eth_sendRawTransaction</c> call, 0..1.</param>
/// <param name="Code">The JSON-RPC error code that client uses.</param>
/// <param name="Message">The client's message; <c>{hash}</c> stands for the tx hash.</param>
public sealed record TxErrorRule(TxErrorKind Error, string Client, double Rate, int Code, string Message)
{
    public string Name => $"tx-error:{TxErrorMessages.KindName(Error)}:{Client}";
}

/// <summary>
/// What <c>fastload sink --faults SPEC</c> injects, parsed once, and the seeded draws that decide each request's fault.
/// </summary>
/// <remarks>
/// <para>Grammar (whitespace around entries is ignored):</para>
/// <code>
/// SPEC  = ENTRY *("," ENTRY)
/// ENTRY = FAULT ":" RATE *(":" PARAM)
///       / "tx-error:" ERROR ":" CLIENT ":" RATE
/// FAULT = "429" / "500" / "503" / "reset-before" / "reset-after" / "cut" / "slow" / "malformed" / "missing-ids" / "extra-ids"
/// RATE  = number "%"                           ; 0 to 100, decimals allowed (0.5%)
/// PARAM = "retry-after=" seconds               ; 429 and 503 (429 defaults to 1)
///       / "delay=" number ("ms" / "s")         ; slow (defaults to 1s)
/// ERROR = "nonce-too-low" / "nonce-too-high" / "already-known" / "replacement-underpriced" / "underpriced"
///       / "insufficient-funds" / "txpool-full"
/// CLIENT = "geth" / "reth" / "anvil" / "hardhat"
/// </code>
/// <para>Request faults exclude each other: one uniform draw per HTTP request picks at most one, so their rates must add
/// up to at most 100 %. <c>tx-error</c> draws once per <c>eth_sendRawTransaction</c> call (their rates add up to at most
/// 100 % too). Draws are a hash of the seed and the request's number (and the call's index in the batch), so the n-th
/// request the sink answers always gets the same fault for a given seed, on any connection.</para>
/// </remarks>
public sealed class SinkFaultPlan
{
    private static readonly SinkFaultKind[] Kinds = Enum.GetValues<SinkFaultKind>();

    private SinkFaultPlan(string spec, ulong seed, SinkFaultRule[] requests, TxErrorRule[] txErrors)
    {
        Spec = spec;
        Seed = seed;
        Requests = requests;
        TxErrors = txErrors;
    }

    /// <summary>The spec as given.</summary>
    public string Spec { get; }

    public ulong Seed { get; }

    /// <summary>Request-level faults, in the order given.</summary>
    public IReadOnlyList<SinkFaultRule> Requests { get; }

    /// <summary>Per-tx errors, in the order given.</summary>
    public IReadOnlyList<TxErrorRule> TxErrors { get; }

    /// <summary>Names of all rules: request faults first, then tx errors; the index is the counter's index.</summary>
    public IReadOnlyList<string> RuleNames => [.. Requests.Select(r => r.Name), .. TxErrors.Select(r => r.Name)];

    public static string KindName(SinkFaultKind kind) => kind switch
    {
        SinkFaultKind.TooManyRequests => "429",
        SinkFaultKind.InternalError => "500",
        SinkFaultKind.Unavailable => "503",
        SinkFaultKind.ResetBefore => "reset-before",
        SinkFaultKind.ResetAfter => "reset-after",
        SinkFaultKind.Cut => "cut",
        SinkFaultKind.Slow => "slow",
        SinkFaultKind.Malformed => "malformed",
        SinkFaultKind.MissingIds => "missing-ids",
        SinkFaultKind.ExtraIds => "extra-ids",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Parses a spec; <see cref="FormatException"/> with a one-line message naming the bad entry and the fix.</summary>
    public static SinkFaultPlan Parse(string spec, ulong seed = 1)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (string.IsNullOrWhiteSpace(spec)) throw Bad("the spec is empty; give e.g. \"503:2%,reset-after:1%\"");
        var requests = new List<SinkFaultRule>();
        var txErrors = new List<TxErrorRule>();
        foreach (string rawEntry in spec.Split(','))
        {
            string entry = rawEntry.Trim();
            if (entry.Length == 0) throw Bad($"an empty entry in '{spec}'; separate entries with single commas");
            string[] parts = entry.Split(':');
            for (int i = 0; i < parts.Length; i++) parts[i] = parts[i].Trim();
            if (parts[0].Equals("tx-error", StringComparison.OrdinalIgnoreCase))
            {
                txErrors.Add(ParseTxError(entry, parts));
                if (txErrors.Count(r => r.Error == txErrors[^1].Error && r.Client == txErrors[^1].Client) > 1)
                    throw Bad($"'{entry}' is given twice; give each tx error once");
                continue;
            }
            SinkFaultKind kind = ParseKind(entry, parts[0]);
            if (requests.Any(r => r.Kind == kind)) throw Bad($"'{parts[0]}' is given twice; give each fault once");
            if (parts.Length < 2) throw Bad($"'{entry}' has no rate; write it as {parts[0]}:RATE%, e.g. {parts[0]}:2%");
            double rate = ParseRate(entry, parts[1]);
            int? retryAfter = kind == SinkFaultKind.TooManyRequests ? 1 : null;
            TimeSpan delay = kind == SinkFaultKind.Slow ? TimeSpan.FromSeconds(1) : TimeSpan.Zero;
            for (int i = 2; i < parts.Length; i++)
            {
                string param = parts[i];
                int eq = param.IndexOf('=');
                string name = eq < 0 ? param : param[..eq].Trim();
                string value = eq < 0 ? "" : param[(eq + 1)..].Trim();
                if (name.Equals("retry-after", StringComparison.OrdinalIgnoreCase) && kind is SinkFaultKind.TooManyRequests or SinkFaultKind.Unavailable)
                {
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int seconds) || seconds > 86_400)
                        throw Bad($"retry-after '{value}' in '{entry}' is not a whole number of seconds (0..86400), e.g. retry-after=1");
                    retryAfter = seconds;
                }
                else if (name.Equals("delay", StringComparison.OrdinalIgnoreCase) && kind == SinkFaultKind.Slow)
                {
                    delay = ParseDelay(entry, value);
                }
                else
                {
                    string allowed = kind switch
                    {
                        SinkFaultKind.TooManyRequests or SinkFaultKind.Unavailable => "it takes retry-after=SECONDS",
                        SinkFaultKind.Slow => "it takes delay=500ms or delay=2s",
                        _ => "it takes no parameters",
                    };
                    throw Bad($"'{param}' is not a parameter of {parts[0]} in '{entry}'; {allowed}");
                }
            }
            requests.Add(new SinkFaultRule(kind, rate, retryAfter, delay));
        }
        double requestTotal = requests.Sum(r => r.Rate);
        if (requestTotal > 1 + 1e-9)
            throw Bad($"the request fault rates add up to {requestTotal * 100:0.###}%, more than 100% (one fault at most per request); lower them");
        double txTotal = txErrors.Sum(r => r.Rate);
        if (txTotal > 1 + 1e-9)
            throw Bad($"the tx-error rates add up to {txTotal * 100:0.###}%, more than 100% (one error at most per tx); lower them");
        return new SinkFaultPlan(spec, seed, [.. requests], [.. txErrors]);
    }

    /// <summary>The index (into <see cref="Requests"/>) of the fault for request number <paramref name="request"/>, or -1 for none.</summary>
    public int DrawRequest(long request)
    {
        if (Requests.Count == 0) return -1;
        double u = Uniform(Seed, (ulong)request, 0);
        double edge = 0;
        for (int i = 0; i < Requests.Count; i++)
        {
            edge += Requests[i].Rate;
            if (u < edge) return i;
        }
        return -1;
    }

    /// <summary>The index (into <see cref="TxErrors"/>) of the error for the <paramref name="tx"/>-th tx of request <paramref name="request"/>, or -1.</summary>
    public int DrawTx(long request, int tx)
    {
        if (TxErrors.Count == 0) return -1;
        double u = Uniform(Seed, (ulong)request, (ulong)tx + 1);
        double edge = 0;
        for (int i = 0; i < TxErrors.Count; i++)
        {
            edge += TxErrors[i].Rate;
            if (u < edge) return i;
        }
        return -1;
    }

    /// <summary>A uniform number in [0, 1) from three inputs: SplitMix64 finalisers chained over them.</summary>
    public static double Uniform(ulong seed, ulong a, ulong b)
    {
        ulong h = Mix(seed ^ 0x9E3779B97F4A7C15UL);
        h = Mix(h ^ a);
        h = Mix(h ^ (b * 0xD1B54A32D192ED03UL));
        return (h >> 11) * (1.0 / (1UL << 53));
    }

    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>One line per rule, for the sink's start-up output: "429 5% retry-after=1, slow 3% delay=500ms, …".</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        foreach (SinkFaultRule r in Requests)
        {
            if (text.Length > 0) text.Append(", ");
            text.Append(CultureInfo.InvariantCulture, $"{r.Name} {r.Rate * 100:0.###}%");
            if (r.RetryAfterSeconds is int s) text.Append(CultureInfo.InvariantCulture, $" retry-after={s}");
            if (r.Kind == SinkFaultKind.Slow) text.Append(CultureInfo.InvariantCulture, $" delay={r.Delay.TotalMilliseconds:0}ms");
        }
        foreach (TxErrorRule r in TxErrors)
        {
            if (text.Length > 0) text.Append(", ");
            text.Append(CultureInfo.InvariantCulture, $"{r.Name} {r.Rate * 100:0.###}% per tx");
        }
        return text.ToString();
    }

    private static SinkFaultKind ParseKind(string entry, string name)
    {
        foreach (SinkFaultKind kind in Kinds)
        {
            if (KindName(kind).Equals(name, StringComparison.OrdinalIgnoreCase)) return kind;
        }
        throw Bad($"unknown fault '{name}' in '{entry}'; known: {string.Join(", ", Kinds.Select(KindName))}, tx-error");
    }

    private static TxErrorRule ParseTxError(string entry, string[] parts)
    {
        if (parts.Length != 4)
            throw Bad($"'{entry}' is not tx-error:ERROR:CLIENT:RATE, e.g. tx-error:nonce-too-low:geth:1%");
        if (!TxErrorMessages.TryParseKind(parts[1], out TxErrorKind error))
            throw Bad($"unknown tx error '{parts[1]}' in '{entry}'; known: {string.Join(", ", Enum.GetValues<TxErrorKind>().Select(TxErrorMessages.KindName))}");
        string client = parts[2].ToLowerInvariant();
        if (!TxErrorMessages.Clients.Contains(client))
            throw Bad($"unknown client '{parts[2]}' in '{entry}'; known: {string.Join(", ", TxErrorMessages.Clients)}");
        if (!TxErrorMessages.TryGet(error, client, out int code, out string? message))
            throw Bad($"{client} has no '{TxErrorMessages.KindName(error)}' error in '{entry}'; use {string.Join(" or ", TxErrorMessages.ClientsWith(error))}");
        return new TxErrorRule(error, client, ParseRate(entry, parts[3]), code, message);
    }

    private static double ParseRate(string entry, string text)
    {
        if (!text.EndsWith('%')) throw Bad($"rate '{text}' in '{entry}' needs a % sign, e.g. 2% or 0.5%");
        string number = text[..^1].Trim();
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double percent) || percent > 100)
            throw Bad($"rate '{text}' in '{entry}' is not a percentage from 0% to 100%");
        return percent / 100;
    }

    private static TimeSpan ParseDelay(string entry, string text)
    {
        double factor;
        string number;
        if (text.EndsWith("ms", StringComparison.OrdinalIgnoreCase))
        {
            factor = 1;
            number = text[..^2];
        }
        else if (text.EndsWith('s') || text.EndsWith('S'))
        {
            factor = 1000;
            number = text[..^1];
        }
        else
        {
            throw Bad($"delay '{text}' in '{entry}' needs a unit, e.g. delay=500ms or delay=2s");
        }
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value) || value * factor > 600_000)
            throw Bad($"delay '{text}' in '{entry}' is not a duration from 0ms to 600s, e.g. delay=500ms");
        return TimeSpan.FromMilliseconds(value * factor);
    }

    private static FormatException Bad(string message) => new(message);
}
