using FastLoad.Engine.Rpc;

namespace FastLoad.Engine.Load;

/// <summary>Counters of one node's traffic, updated lock-free from senders and response handlers.</summary>
public sealed class NodeStats(string url)
{
    private readonly long[] _outcomes = new long[Enum.GetValues<TxOutcome>().Length];
    private long _sent;
    private long _revoked;
    private long _batches;

    public string Url { get; } = url;

    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Presigned txs discarded before sending because their wallet was invalidated.</summary>
    public long Revoked => Interlocked.Read(ref _revoked);

    public long Batches => Interlocked.Read(ref _batches);

    public long Count(TxOutcome outcome) => Interlocked.Read(ref _outcomes[(int)outcome]);

    public long Accepted => Count(TxOutcome.Accepted);

    /// <summary>Answered with anything but acceptance (already-known counts as accepted: the node has the tx).</summary>
    public long Errors
    {
        get
        {
            long total = 0;
            for (int i = (int)TxOutcome.NonceTooLow; i < _outcomes.Length; i++)
                if (i != (int)TxOutcome.AlreadyKnown) total += Interlocked.Read(ref _outcomes[i]);
            return total;
        }
    }

    public long Answered
    {
        get
        {
            long total = 0;
            for (int i = (int)TxOutcome.Accepted; i < _outcomes.Length; i++) total += Interlocked.Read(ref _outcomes[i]);
            return total;
        }
    }

    public void AddSent(int count)
    {
        Interlocked.Add(ref _sent, count);
        Interlocked.Increment(ref _batches);
    }

    public void AddRevoked() => Interlocked.Increment(ref _revoked);

    public void Add(TxOutcome outcome) => Interlocked.Increment(ref _outcomes[(int)outcome]);
}
