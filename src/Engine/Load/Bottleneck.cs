namespace FastLoad.Engine.Load;

/// <summary>What limited a run's rate (see <see cref="Bottleneck.Judge"/>).</summary>
public enum BoundBy
{
    /// <summary>The evidence does not single out one part (mixed, too short, or no part was saturated).</summary>
    Unclear,

    /// <summary>The target was met: the run went as fast as it was asked to.</summary>
    Rate,

    /// <summary>The node: senders waited for its answers (every pipelining slot full) or its 429 pauses.</summary>
    Node,

    /// <summary>Signing: senders waited for signed txs (ring empty) while the signer threads were busy.</summary>
    Signing,

    /// <summary>Sending: txs were ready and slots free, yet the sender loop went no faster (its own CPU work).</summary>
    Sending,
}

/// <summary>Why a verdict is <see cref="BoundBy.Unclear"/>; <see cref="None"/> for the others.</summary>
public enum UnclearReason
{
    None,

    /// <summary>Under a second of sending, or too few ring-fill polls to judge.</summary>
    TooShort,

    /// <summary>The target was met, but only just: the senders waited most of the time for the node or for signed txs.</summary>
    AtLimit,

    /// <summary>Two parts both held the senders back a large share of the time (e.g. waits for signing and for the network).</summary>
    Mixed,

    /// <summary>The ring was empty but the signers were mostly idle: wallets waited for nonce resyncs or inclusions.</summary>
    SignersIdle,

    /// <summary>The node refused many txs or the circuit breaker slowed the run: the error path, not a throughput limit.</summary>
    NodeErrors,

    /// <summary>No part was saturated (no wait dominates, the ring neither empty nor full most of the time).</summary>
    NoSignal,
}

/// <summary>
/// The figures a bottleneck verdict rests on, over the sending span. Fractions are 0..1; a null figure was not
/// measured (e.g. signer figures of a replayed run).
/// </summary>
public sealed record BottleneckEvidence
{
    /// <summary>Seconds of sending (the run's sending span).</summary>
    public required double SendSeconds { get; init; }

    /// <summary>Node senders (one per node).</summary>
    public required int Senders { get; init; }

    /// <summary>Time the senders waited for signed txs (ring empty while tokens were due), ms summed over senders.</summary>
    public required double WaitSigningMs { get; init; }

    /// <summary>Time the senders waited for the network (every pipelining slot full, a slow flush, 429 pauses, reconnects), ms summed over senders.</summary>
    public required double WaitNetworkMs { get; init; }

    /// <summary>Ring-fill polls (every 100 ms per node) while sending.</summary>
    public required int RingPolls { get; init; }

    /// <summary>Share of polls that found the ring at most 10 % full.</summary>
    public required double RingEmptyFraction { get; init; }

    /// <summary>Share of polls that found the ring at least half full.</summary>
    public required double RingFullFraction { get; init; }

    /// <summary>Signer threads (0: txs replayed from a file).</summary>
    public required int SignerThreads { get; init; }

    /// <summary>Share of the signer threads' time not spent waiting (for ring space, or for a wallet to be ready); null when not measured.</summary>
    public double? SignerBusyFraction { get; init; }

    /// <summary>Share of the signer threads' time spent waiting for ring space; null when not measured.</summary>
    public double? SignerRingFullFraction { get; init; }

    /// <summary>Process CPU over the sending span ÷ (span × cores).</summary>
    public required double CpuFraction { get; init; }

    public required int Cores { get; init; }

    /// <summary>The whole machine's CPU over the sending span (every process), share of all cores; null where not readable.</summary>
    public double? MachineCpuFraction { get; init; }

    /// <summary>Tx/s asked for; null for --max.</summary>
    public double? TargetRate { get; init; }

    /// <summary>Txs the shape made due while sending; null for --max.</summary>
    public long? Intended { get; init; }

    public required long Sent { get; init; }

    /// <summary>Txs the node refused or did not answer.</summary>
    public long Errors { get; init; }

    public long Unsent { get; init; }

    public long Late { get; init; }

    public int BreakerTrips { get; init; }

    public long RateLimitPauses { get; init; }

    public double AchievedRate => SendSeconds > 0 ? Sent / SendSeconds : 0;

    /// <summary>Share of the senders' time spent waiting for signed txs.</summary>
    public double SigningWaitFraction => SenderMs > 0 ? Math.Min(1, WaitSigningMs / SenderMs) : 0;

    /// <summary>Share of the senders' time spent waiting for the network.</summary>
    public double NetworkWaitFraction => SenderMs > 0 ? Math.Min(1, WaitNetworkMs / SenderMs) : 0; // the last batch's wait may end after the deadline

    private double SenderMs => SendSeconds * 1000 * Math.Max(1, Senders);
}

/// <summary>A run's bottleneck: what limited it, why an unclear verdict is unclear, and the figures.</summary>
public sealed record BottleneckVerdict(BoundBy Bound, UnclearReason Reason, BottleneckEvidence Evidence);

/// <summary>
/// The decision rule (README "Bottleneck verdict"). It names a part only when one signal clearly dominates; a tool
/// that judges other systems must rather say "unclear" than blame the wrong one.
/// <list type="number">
/// <item>Under 1 s of sending or fewer than 5 ring polls: unclear (too short).</item>
/// <item>A target was set and met (sent ≥ 97 % of the txs it made due, unsent ≤ 1 % of them): rate, if the senders
/// waited &lt; 50 % of the time for the network and &lt; 40 % for signed txs (headroom); else unclear (at the limit). Late
/// txs (sent over 50 ms behind their intended time) are shown, not judged: they are latency; the throughput went out.</item>
/// <item>Node: senders waited ≥ 50 % of the time for the network, at least twice as long as for signed txs, and the
/// ring was empty in &lt; 50 % of polls (signed txs piled up behind the node).</item>
/// <item>Signing: senders waited ≥ 40 % for signed txs, at least twice as long as for the network (or the ring was
/// empty in ≥ 90 % of polls), the ring was empty in ≥ 50 % of polls (network waits then cost nothing: there was nothing
/// more to send), and the signers were busy
/// ≥ 80 % of their time (busy below 50 %: unclear, signers idle).</item>
/// <item>Sending: senders waited &lt; 10 % for signed txs and &lt; 10 % for the network, the ring was at least half
/// full in ≥ 50 % of polls, errors ≤ 5 % of sent and no breaker trip.</item>
/// <item>Otherwise unclear: mixed when both waits are ≥ 20 %; node errors when errors &gt; 5 % or the breaker
/// tripped; signers idle when the ring was empty and the signers mostly waited; else no signal.</item>
/// </list>
/// </summary>
public static class Bottleneck
{
    public const double MetShare = 0.97, MaxUnsentShare = 0.01;
    public const double NodeWait = 0.5, SigningWait = 0.4, Dominance = 2, OtherWaitBelow = 0.2, SendingWaitBelow = 0.1;
    public const double RingShare = 0.5, RingEmptyAlways = 0.9, SignersBusy = 0.8, SignersIdle = 0.5, ErrorShare = 0.05;

    public static BottleneckVerdict Judge(BottleneckEvidence e)
    {
        if (e.SendSeconds < 1 || e.RingPolls < 5) return new(BoundBy.Unclear, UnclearReason.TooShort, e);
        double sw = e.SigningWaitFraction, nw = e.NetworkWaitFraction;
        if (TargetMet(e))
        {
            // Met, and no part was saturated on the way: the rate asked for was the limit. Met while the senders waited
            // most of the time for the node or the signers: the target sits at that part's ceiling, not below it.
            return nw < NodeWait && sw < SigningWait ? new(BoundBy.Rate, UnclearReason.None, e) : new(BoundBy.Unclear, UnclearReason.AtLimit, e);
        }
        bool errors = e.Sent > 0 && e.Errors > ErrorShare * e.Sent || e.BreakerTrips > 0;
        // Which wait cost throughput is told by the ring: waits for the network while signed txs piled up (ring not empty)
        // held them back; waits for the network while the ring stayed empty cost nothing (there was nothing more to send).
        if (nw >= NodeWait && nw >= Dominance * sw && e.RingEmptyFraction < RingShare) return new(BoundBy.Node, UnclearReason.None, e);
        // A ring empty in nearly every poll is dominance enough: the senders took every signed tx at once, so their waits
        // for the network (tiny batches filling the pipelining slots) held nothing back.
        if (sw >= SigningWait && (sw >= Dominance * nw || e.RingEmptyFraction >= RingEmptyAlways) && e.RingEmptyFraction >= RingShare)
        {
            if (e.SignerBusyFraction is double busy && busy >= SignersBusy) return new(BoundBy.Signing, UnclearReason.None, e);
            if (e.SignerBusyFraction is double idle && idle < SignersIdle) return new(BoundBy.Unclear, UnclearReason.SignersIdle, e);
            return new(BoundBy.Unclear, e.SignerBusyFraction is null ? UnclearReason.NoSignal : UnclearReason.Mixed, e);
        }
        if (sw < SendingWaitBelow && nw < SendingWaitBelow && e.RingFullFraction >= RingShare && !errors)
            return new(BoundBy.Sending, UnclearReason.None, e);
        UnclearReason reason = sw >= OtherWaitBelow && nw >= OtherWaitBelow ? UnclearReason.Mixed
            : errors ? UnclearReason.NodeErrors
            : e.RingEmptyFraction >= RingShare && e.SignerBusyFraction is double b && b < SignersIdle ? UnclearReason.SignersIdle
            : UnclearReason.NoSignal;
        return new(BoundBy.Unclear, reason, e);
    }

    /// <summary>A target was set and the run kept to it.</summary>
    public static bool TargetMet(BottleneckEvidence e) =>
        e.TargetRate is > 0 && e.Intended is long due && due > 0
        && e.Sent >= MetShare * due && e.Unsent <= MaxUnsentShare * due;

    /// <summary>The stored name of a verdict (runs.bound_by).</summary>
    public static string Name(BoundBy bound) => bound switch
    {
        BoundBy.Rate => "rate",
        BoundBy.Node => "node",
        BoundBy.Signing => "signing",
        BoundBy.Sending => "sending",
        _ => "unclear",
    };
}
