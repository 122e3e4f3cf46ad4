using System.Diagnostics;
using FastLoad.Engine.Shapes;

namespace FastLoad.Engine.Probe;

/// <summary>What the run hands the probe once sending has begun.</summary>
public sealed record ProbeContext
{
    /// <summary>When sending began (stopwatch ticks): the shape's second 0.</summary>
    public required long StartTicks { get; init; }

    /// <summary>Accepted txs not yet seen in a block (the backlog of ours in the node's pool), now.</summary>
    public required Func<long> Pending { get; init; }

    /// <summary>Txs seen in a block so far.</summary>
    public required Func<long> Included { get; init; }

    /// <summary>New blocks as the watchers see them.</summary>
    public required BlockClock Blocks { get; init; }

    /// <summary>The latest block's base fee per gas, wei; null on a chain without one (cold: a call before and after each phase).</summary>
    public Func<CancellationToken, Task<System.Numerics.BigInteger?>>? BaseFee { get; init; }

    /// <summary>The fee cap the run's txs carry (max fee per gas; the gas price for legacy and 2930), wei.</summary>
    public System.Numerics.BigInteger? FeeCap { get; init; }
}

/// <summary>
/// Runs the probe inside one load run: appends each phase's constant segment to <see cref="Shape"/>, waits for it to
/// end and for its txs to settle (all included, or a bounded wait), measures it from <see cref="Phases"/> and the
/// backlog samples, judges it, and lets <see cref="ProbeSearch"/> pick the next. One wallet set, one funding, one
/// results file: the run's own. Cold code, a few wake-ups a second.
/// </summary>
public sealed class ProbeController
{
    private static readonly double TicksPerSecond = Stopwatch.Frequency;
    private readonly ProbeSettings _settings;
    private readonly List<ProbeStep> _steps = [];
    private readonly List<(long Ticks, long Pending, long Included)> _samples = [];
    private ProbeSearch? _search;
    private double? _blockSeconds;
    private double? _inclusionTarget;

    public ProbeController(ProbeSettings settings)
    {
        settings.Validate();
        _settings = settings;
        Shape = new PhasedShape(settings.MaxRate, settings.MaxTxs());
        _inclusionTarget = settings.TargetInclusionP99Ms;
    }

    public ProbeSettings Settings => _settings;

    private volatile ProbeStatus? _status;

    /// <summary>Where the probe is now (for <c>/metrics</c>; any thread); null before its first phase.</summary>
    public ProbeStatus? Status => _status;

    /// <summary>The run's shape (set it as <c>RunOptions.Shape</c>, with no duration).</summary>
    public PhasedShape Shape { get; }

    /// <summary>The run's per-phase counts (the run's recorder feeds them).</summary>
    public PhaseTracker Phases { get; } = new();

    /// <summary>Called (on the controller's task) as each phase is judged.</summary>
    public Action<ProbeStep>? OnStep { get; init; }

    /// <summary>The answer and the steps judged so far (partial if the run was stopped).</summary>
    public ProbeResult Result => new()
    {
        Steps = _steps.ToArray(),
        Sustainable = _search?.Sustainable,
        Failure = _search is null ? "the probe did not start" : _search.Next is null ? _search.Failure : "stopped before the probe ended",
        AtCap = _search?.AtCap == true && _search.Sustainable is not null,
        BlockSeconds = _blockSeconds,
        InclusionTargetMs = _inclusionTarget,
    };

    /// <summary>Runs phases until the search ends (the run then stops sending) or <paramref name="stop"/> fires.</summary>
    public async Task RunAsync(ProbeContext run, CancellationToken stop)
    {
        _search = new ProbeSearch(_settings);
        double lastEnd = 0;
        while (_search.Next is (ProbeKind kind, double rate))
        {
            _status = new ProbeStatus(_steps.Count, kind, rate, _steps.Count, PassedCount(), null, false);
            double seconds = (kind == ProbeKind.Hold ? _settings.Hold : _settings.Step).TotalSeconds;
            (double? feeStart, double feeWait) = await SettleBaseFeeAsync(run, seconds, stop).ConfigureAwait(false);
            double start = Math.Max(lastEnd, SecondsSince(run.StartTicks) + 0.1); // a little ahead: the first txs are not late
            PhaseTracker.Phase phase = Phases.Add(run.StartTicks + ArrivalTicks(start), run.StartTicks + ArrivalTicks(start + seconds));
            PhasedShape.Segment segment = Shape.Append(start, rate, seconds);
            lastEnd = segment.End;
            await SampleUntilAsync(run, phase.EndTicks, () => false, stop).ConfigureAwait(false);

            // Settle: every tx of the phase answered and nothing of ours left in the pool, bounded (a node that keeps a
            // backlog fails the step on it; the next step starts from an empty pool when it can).
            double block = BlockSeconds(run.Blocks) ?? 1;
            long settleBy = phase.EndTicks + (long)((seconds + 5 * block + 5) * TicksPerSecond);
            await SampleUntilAsync(run, settleBy, () => phase.Answered >= segment.Count && run.Pending() == 0, stop).ConfigureAwait(false);
            // And one more block interval of samples after the end, for the included rate.
            await SampleUntilAsync(run, phase.EndTicks + (long)(block * TicksPerSecond), () => false, stop).ConfigureAwait(false);

            _blockSeconds = BlockSeconds(run.Blocks);
            if (_inclusionTarget is null && _blockSeconds is double measured && run.Blocks.Count >= 3)
                _inclusionTarget = Math.Round(_settings.InclusionBlocks * measured * 1000);
            double target = _inclusionTarget ?? _settings.InclusionBlocks * block * 1000;

            ProbeStep step = Measure(kind, rate, segment, phase, block, run.StartTicks) with
            {
                BaseFeeStartGwei = feeStart, BaseFeeEndGwei = await BaseFeeGweiAsync(run, stop).ConfigureAwait(false), FeeWaitSeconds = feeWait,
                FeeCapGwei = run.FeeCap is System.Numerics.BigInteger cap ? (double)cap / 1e9 : null,
            };
            step = ProbeJudge.Judge(step, _settings.TargetSuccessPercent, target);
            _steps.Add(step);
            _search.Record(step.Pass);
            _status = _status! with { Judged = _steps.Count, Passed = PassedCount(), Sustainable = _search.Sustainable, Ended = _search.Next is null };
            OnStep?.Invoke(step);
        }
    }

    private int PassedCount()
    {
        int passed = 0;
        foreach (ProbeStep step in _steps) if (step.Pass) passed++;
        return passed;
    }

    private ProbeStep Measure(ProbeKind kind, double rate, PhasedShape.Segment segment, PhaseTracker.Phase phase, double block, long startTicks)
    {
        long window = (long)(Math.Max(block, 0.25) * TicksPerSecond);
        long mid = phase.StartTicks + (phase.EndTicks - phase.StartTicks) / 2;
        long shift = (long)(block * TicksPerSecond);
        long includedFrom = IncludedAt(phase.StartTicks + shift), includedTo = IncludedAt(phase.EndTicks + shift);
        return new ProbeStep
        {
            Index = _steps.Count,
            Kind = kind,
            Name = kind switch
            {
                ProbeKind.Step => $"step {_search!.Count(ProbeKind.Step) + 1}",
                ProbeKind.Bisect => $"bisect {_search!.Count(ProbeKind.Bisect) + 1}",
                _ => _search!.Count(ProbeKind.Hold) == 0 ? "hold" : $"hold {_search.Count(ProbeKind.Hold) + 1}",
            },
            Rate = rate,
            StartUs = Load.RunRecorder.Micros(phase.StartTicks - startTicks),
            EndUs = Load.RunRecorder.Micros(phase.EndTicks - startTicks),
            Offered = segment.Count,
            Sent = phase.Answered,
            Accepted = phase.Accepted,
            Included = phase.Included,
            IncludedRate = (includedTo - includedFrom) / segment.Seconds,
            InclusionP50Ms = phase.Inclusion.MillisAtPercentile(50),
            InclusionP99Ms = phase.Inclusion.MillisAtPercentile(99),
            BacklogMid = LowestPending(mid - window, mid),
            BacklogEnd = LowestPending(phase.EndTicks - window, phase.EndTicks),
            BacklogTolerance = ProbeJudge.BacklogTolerance(rate, block),
        };
    }

    /// <summary>
    /// Before a phase on an EIP-1559 chain: waits (sending nothing, so blocks are empty and the base fee falls 12.5 % a
    /// block) until the base fee is low enough that the phase cannot push it past the txs' fee cap, since full blocks
    /// raise it up to 12.5 % a block: base fee × 1.125^(phase blocks + 3) ≤ 80 % of the cap. Otherwise a fast phase
    /// after another would find its txs priced out and fail on the chain's fee market rather than on its capacity.
    /// Bounded (<see cref="MaxFeeWait"/>); the phase's base fee at start and end is its evidence either way.
    /// </summary>
    private async Task<(double? StartGwei, double WaitSeconds)> SettleBaseFeeAsync(ProbeContext run, double phaseSeconds, CancellationToken stop)
    {
        if (run.BaseFee is null || run.FeeCap is not System.Numerics.BigInteger cap) return (null, 0);
        double block = BlockSeconds(run.Blocks) ?? 1;
        double limit = (double)cap * 0.8 / Math.Pow(1.125, phaseSeconds / Math.Max(block, 0.05) + 3);
        long began = Stopwatch.GetTimestamp();
        while (true)
        {
            System.Numerics.BigInteger? fee = await ReadBaseFeeAsync(run, stop).ConfigureAwait(false);
            double waited = (Stopwatch.GetTimestamp() - began) / TicksPerSecond;
            if (fee is not System.Numerics.BigInteger f) return (null, waited);
            if ((double)f <= limit || waited >= MaxFeeWait.TotalSeconds) return ((double)f / 1e9, waited);
            await SampleUntilAsync(run, Stopwatch.GetTimestamp() + (long)(block * TicksPerSecond), () => false, stop).ConfigureAwait(false);
        }
    }

    /// <summary>The longest wait for the base fee to fall before a phase.</summary>
    public static readonly TimeSpan MaxFeeWait = TimeSpan.FromMinutes(2);

    private static async Task<double?> BaseFeeGweiAsync(ProbeContext run, CancellationToken stop) =>
        await ReadBaseFeeAsync(run, stop).ConfigureAwait(false) is System.Numerics.BigInteger f ? (double)f / 1e9 : null;

    /// <summary>The base fee, or null when it can't be read (no base fee, or the node did not answer: the probe goes on without).</summary>
    private static async Task<System.Numerics.BigInteger?> ReadBaseFeeAsync(ProbeContext run, CancellationToken stop)
    {
        if (run.BaseFee is null) return null;
        try
        {
            return await run.BaseFee(stop).ConfigureAwait(false);
        }
        catch (Exception e) when (e is Rpc.RpcException or Rpc.RpcTransportException or TimeoutException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    /// <summary>The lowest backlog sampled in [from, to] (a backlog rises between blocks and drops at each: its troughs tell growth).</summary>
    private long LowestPending(long from, long to)
    {
        long lowest = long.MaxValue;
        foreach ((long ticks, long pending, _) in _samples)
            if (ticks >= from && ticks <= to && pending < lowest) lowest = pending;
        return lowest == long.MaxValue ? 0 : lowest;
    }

    /// <summary>Included count at the last sample at or before <paramref name="ticks"/>.</summary>
    private long IncludedAt(long ticks)
    {
        long included = 0;
        foreach ((long t, _, long count) in _samples)
        {
            if (t > ticks) break;
            included = count;
        }
        return included;
    }

    private async Task SampleUntilAsync(ProbeContext run, long untilTicks, Func<bool> done, CancellationToken stop)
    {
        while (true)
        {
            long now = Stopwatch.GetTimestamp();
            _samples.Add((now, run.Pending(), run.Included()));
            if (now >= untilTicks || done()) return;
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Clamp((untilTicks - now) * 1000.0 / TicksPerSecond, 1, 50)), stop).ConfigureAwait(false);
        }
    }

    /// <summary>The median interval of the last (up to) 10 blocks seen, seconds; null before two.</summary>
    internal static double? BlockSeconds(BlockClock blocks)
    {
        int n = blocks.Count;
        if (n < 2) return null;
        var gaps = new List<double>();
        for (int b = Math.Max(1, n - 10); b < n; b++) gaps.Add((blocks.SeenAt(b) - blocks.SeenAt(b - 1)) / TicksPerSecond);
        gaps.Sort();
        return gaps[gaps.Count / 2];
    }

    private static double SecondsSince(long startTicks) => (Stopwatch.GetTimestamp() - startTicks) / TicksPerSecond;

    /// <summary>Seconds → ticks exactly as the schedule turns a token's time into its intended ticks.</summary>
    private static long ArrivalTicks(double seconds) => (long)(seconds * Stopwatch.Frequency);
}

/// <summary>Where a probe is (<see cref="ProbeController.Status"/>).</summary>
/// <param name="Phase">0-based index of the phase being run (waiting for the base fee, sending, or settling), or the last one once the probe ended.</param>
/// <param name="Kind">What that phase is for.</param>
/// <param name="Rate">Tx/s that phase offers.</param>
/// <param name="Judged">Phases judged so far; <paramref name="Passed"/> of them passed.</param>
/// <param name="Sustainable">The answer, once a hold confirmed it; null before, or when the probe ended without one.</param>
/// <param name="Ended">The search is over (the run then stops sending).</param>
public sealed record ProbeStatus(int Phase, ProbeKind Kind, double Rate, int Judged, int Passed, double? Sustainable, bool Ended);
