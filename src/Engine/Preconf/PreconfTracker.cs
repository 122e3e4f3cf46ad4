using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FastLoad.Engine.Load;
using FastLoad.Engine.Primitives;

namespace FastLoad.Engine.Preconf;

/// <summary>
/// The run's txs as they go out, keyed by hash, for the confirmation streams (<c>--confirm-ws</c>) to look up: each
/// stream's first mention of a tx is a preconfirmation. Txs are added when their batch is written (before the node
/// could announce them, so a stream faster than the node's own answer is still matched), dropped when refused, and
/// let go once every stream has mentioned them. Adding and matching allocate nothing (a dictionary of structs sized
/// ahead; it grows only past its size, a cold event); one lock, taken once per batch by a sender and once per hash by
/// a stream.
/// </summary>
public sealed class PreconfTracker
{
    private struct Entry
    {
        public long Id;
        public long IntendedTicks;
        public ulong SeenBy; // bit s: stream s has mentioned it
    }

    private readonly Lock _gate = new();
    private readonly Dictionary<Hash256, Entry> _entries;
    private readonly ulong _allStreams;
    private long _untracked;

    /// <param name="streams">How many streams match against it (1..64).</param>
    /// <param name="capacity">Txs it holds before it first grows.</param>
    public PreconfTracker(int streams, int capacity = 1 << 16)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(streams, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(streams, 64);
        Streams = streams;
        _allStreams = streams == 64 ? ulong.MaxValue : (1UL << streams) - 1;
        _entries = new Dictionary<Hash256, Entry>(capacity);
    }

    public int Streams { get; }

    /// <summary>Most txs held at once (sent and not yet mentioned by every stream); beyond it new ones are counted in <see cref="Untracked"/>.</summary>
    public int MaxTracked { get; init; } = 1 << 21;

    /// <summary>Txs held now.</summary>
    public int Tracked { get { lock (_gate) return _entries.Count; } }

    /// <summary>Txs not held because <see cref="MaxTracked"/> were already (bounded memory).</summary>
    public long Untracked => Interlocked.Read(ref _untracked);

    /// <summary>Holds a batch's txs, just before the batch is written (a sender's thread).</summary>
    public void Add(ReadOnlySpan<InFlightTx> txs)
    {
        lock (_gate)
        {
            foreach (ref readonly InFlightTx tx in txs)
            {
                if (_entries.Count >= MaxTracked)
                {
                    _untracked++;
                    continue;
                }
                ref Entry entry = ref CollectionsMarshal.GetValueRefOrAddDefault(_entries, tx.TxHash, out bool exists);
                if (exists) continue; // sent again (the same bytes): its first mention still counts from the first send
                entry.Id = tx.Id;
                entry.IntendedTicks = tx.IntendedTicks;
            }
        }
    }

    /// <summary>Holds one tx (tests and callers outside a sender).</summary>
    public void Add(in Hash256 hash, long id, long intendedTicks)
    {
        var tx = new InFlightTx { TxHash = hash, Id = id, IntendedTicks = intendedTicks };
        Add(new ReadOnlySpan<InFlightTx>(in tx));
    }

    /// <summary>The node refused the tx: no stream will mention it (or if one does, it is not ours to count).</summary>
    public void Forget(in Hash256 hash)
    {
        lock (_gate) _entries.Remove(hash);
    }

    /// <summary>
    /// Stream <paramref name="stream"/> mentions <paramref name="hash32"/>: true when it is one of ours not mentioned by
    /// that stream before, with its id and intended time; <paramref name="first"/> when no stream mentioned it before.
    /// </summary>
    public bool TryMatch(int stream, ReadOnlySpan<byte> hash32, out long id, out long intendedTicks, out bool first)
    {
        var hash = new Hash256(hash32);
        ulong bit = 1UL << stream;
        lock (_gate)
        {
            ref Entry entry = ref CollectionsMarshal.GetValueRefOrNullRef(_entries, hash);
            if (Unsafe.IsNullRef(ref entry) || (entry.SeenBy & bit) != 0)
            {
                (id, intendedTicks, first) = (0, 0, false);
                return false;
            }
            (id, intendedTicks, first) = (entry.Id, entry.IntendedTicks, entry.SeenBy == 0);
            entry.SeenBy |= bit;
            if (entry.SeenBy == _allStreams) _entries.Remove(hash); // every stream has had its say
            return true;
        }
    }
}
