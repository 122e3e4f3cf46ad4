using FastLoad.Engine.Metrics;
using FastLoad.Engine.Rpc;

namespace FastLoad.Engine.Probe;

/// <summary>
/// Per-phase counts, so every tx is judged with the phase it belongs to: a tx belongs to the phase whose window
/// [start, end) holds its intended send time (phases never overlap). The run's recorder calls
/// <see cref="OnResult"/> and <see cref="OnIncluded"/> on response-handler and watcher threads: a short scan of a
/// small array (newest first) and interlocked counters, no allocation. Phases are added by the controller (cold).
/// </summary>
public sealed class PhaseTracker
{
    /// <summary>One phase's window (absolute stopwatch ticks) and what its txs did.</summary>
    public sealed class Phase(int index, long startTicks, long endTicks)
    {
        internal long _answered, _accepted, _included;

        public int Index { get; } = index;
        public long StartTicks { get; } = startTicks;
        public long EndTicks { get; } = endTicks;

        /// <summary>Txs of the phase the node answered (any outcome).</summary>
        public long Answered => Interlocked.Read(ref _answered);

        /// <summary>Txs of the phase the node accepted (those the inclusion tracker waits for).</summary>
        public long Accepted => Interlocked.Read(ref _accepted);

        /// <summary>Txs of the phase seen in a block.</summary>
        public long Included => Interlocked.Read(ref _included);

        /// <summary>Block seen − intended send time of the phase's included txs.</summary>
        public LatencyHistogram Inclusion { get; } = new();
    }

    private volatile Phase[] _phases = [];

    public IReadOnlyList<Phase> Phases => _phases;

    /// <summary>Adds a phase (after every earlier one).</summary>
    public Phase Add(long startTicks, long endTicks)
    {
        Phase[] current = _phases;
        var phase = new Phase(current.Length, startTicks, endTicks);
        _phases = [.. current, phase];
        return phase;
    }

    private Phase? Of(long intendedTicks)
    {
        Phase[] phases = _phases;
        for (int i = phases.Length - 1; i >= 0; i--)
        {
            Phase p = phases[i];
            if (intendedTicks >= p.StartTicks) return intendedTicks < p.EndTicks ? p : null;
        }
        return null;
    }

    public void OnResult(long intendedTicks, TxOutcome outcome)
    {
        if (Of(intendedTicks) is not Phase p) return;
        Interlocked.Increment(ref p._answered);
        if (outcome == TxOutcome.Accepted) Interlocked.Increment(ref p._accepted);
    }

    public void OnIncluded(long intendedTicks, long latencyMicros)
    {
        if (Of(intendedTicks) is not Phase p) return;
        Interlocked.Increment(ref p._included);
        p.Inclusion.RecordConcurrent(latencyMicros);
    }
}
