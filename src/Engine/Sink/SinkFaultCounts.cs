namespace FastLoad.Engine.Sink;

/// <summary>
/// How many faults of each rule of a <see cref="SinkFaultPlan"/> the sink injected: request faults first, then tx
/// errors, in the plan's order (<see cref="SinkFaultPlan.RuleNames"/>). Counted on the fault path only.
/// </summary>
public sealed class SinkFaultCounts(SinkFaultPlan plan)
{
    private readonly long[] _counts = new long[plan.Requests.Count + plan.TxErrors.Count];

    public SinkFaultPlan Plan { get; } = plan;

    /// <summary>Injected faults of one rule by name (<c>503</c>, <c>tx-error:nonce-too-low:geth</c>); 0 for a name not in the plan.</summary>
    public long this[string name]
    {
        get
        {
            IReadOnlyList<string> names = Plan.RuleNames;
            for (int i = 0; i < names.Count; i++)
            {
                if (names[i] == name) return Volatile.Read(ref _counts[i]);
            }
            return 0;
        }
    }

    /// <summary>All faults injected.</summary>
    public long Total
    {
        get
        {
            long total = 0;
            for (int i = 0; i < _counts.Length; i++) total += Volatile.Read(ref _counts[i]);
            return total;
        }
    }

    /// <summary>Every rule with its count, in the plan's order.</summary>
    public IReadOnlyList<KeyValuePair<string, long>> Snapshot()
    {
        IReadOnlyList<string> names = Plan.RuleNames;
        var list = new KeyValuePair<string, long>[names.Count];
        for (int i = 0; i < list.Length; i++) list[i] = new(names[i], Volatile.Read(ref _counts[i]));
        return list;
    }

    /// <summary>"503 12, reset-after 3, tx-error:nonce-too-low:geth 40".</summary>
    public string Describe() => string.Join(", ", Snapshot().Select(p => $"{p.Key} {p.Value:N0}"));

    internal void AddRequestFault(int rule) => Interlocked.Increment(ref _counts[rule]);

    internal void AddTxError(int rule) => Interlocked.Increment(ref _counts[Plan.Requests.Count + rule]);
}
