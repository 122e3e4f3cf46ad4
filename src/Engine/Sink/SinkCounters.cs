using System.Runtime.InteropServices;

namespace FastLoad.Engine.Sink;

/// <summary>
/// Totals of the sink. Connections add what they counted once per read (every request that arrived
/// together), so counting costs a few interlocked adds per batch of requests, never one per tx.
/// </summary>
public sealed class SinkCounters
{
    private Padded _accepted;
    private Padded _rejected;
    private Padded _requests;
    private Padded _connections;
    private long _tlsFailures;

    /// <summary><c>eth_sendRawTransaction</c> calls answered with a hash.</summary>
    public long Accepted => Volatile.Read(ref _accepted.Value);

    /// <summary><c>eth_sendRawTransaction</c> calls answered with an error.</summary>
    public long Rejected => Volatile.Read(ref _rejected.Value);

    /// <summary>HTTP requests answered.</summary>
    public long Requests => Volatile.Read(ref _requests.Value);

    /// <summary>Connections accepted since start.</summary>
    public long Connections => Volatile.Read(ref _connections.Value);

    /// <summary>TLS handshakes that failed (a client that does not trust the certificate, or speaks plain HTTP to --tls).</summary>
    public long TlsFailures => Volatile.Read(ref _tlsFailures);

    public SinkSnapshot Snapshot() => new(Accepted, Rejected, Requests, Connections);

    internal void Add(int accepted, int rejected, int requests)
    {
        if (accepted != 0) Interlocked.Add(ref _accepted.Value, accepted);
        if (rejected != 0) Interlocked.Add(ref _rejected.Value, rejected);
        if (requests != 0) Interlocked.Add(ref _requests.Value, requests);
    }

    internal void AddConnection() => Interlocked.Increment(ref _connections.Value);

    internal void AddTlsFailure() => Interlocked.Increment(ref _tlsFailures);

    /// <summary>One counter per cache line, so two cores adding to different counters do not share a line.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 64)]
    private struct Padded
    {
        [FieldOffset(0)] public long Value;
    }
}

/// <summary>The sink's totals at one moment.</summary>
public readonly record struct SinkSnapshot(long Accepted, long Rejected, long Requests, long Connections);
