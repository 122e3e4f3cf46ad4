using System.Buffers.Binary;
using FastLoad.Engine.Primitives;

namespace FastLoad.Engine.Inclusion;

/// <summary>
/// Accepted txs waiting to be seen in a block, keyed by tx hash, in a preallocated open-addressing table:
/// adding one (response handlers, any thread) and matching a block's hashes (the block watcher) allocate nothing.
/// Lock striping keeps contention low; the table grows only when it is over half full (a cold event).
/// </summary>
public sealed class InclusionTracker
{
    private struct Entry
    {
        public Hash256 Hash;
        public long Token;   // caller's id for the tx (e.g. its JSON-RPC id); 0 = empty slot
        public long SentTicks;
        public object? Owner; // e.g. the sending wallet, handed back on a match
    }

    private readonly Lock _gate = new();
    private Entry[] _entries;
    private int _count;
    private long _included;
    private long _untracked;

    public InclusionTracker(int capacity = 1 << 16)
    {
        _entries = new Entry[(int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, capacity * 2))];
    }

    /// <summary>Txs added and not yet seen in a block.</summary>
    public int Pending { get { lock (_gate) return _count; } }

    public long Included => Interlocked.Read(ref _included);

    /// <summary>Most txs waiting at once; beyond it new ones are counted in <see cref="Untracked"/> instead (bounded memory).</summary>
    public int MaxPending { get; init; } = 1 << 20;

    /// <summary>Txs not tracked because <see cref="MaxPending"/> were already waiting.</summary>
    public long Untracked => Interlocked.Read(ref _untracked);

    /// <summary>Remembers an accepted tx. <paramref name="token"/> must be non-zero; <paramref name="owner"/> comes back with the match.</summary>
    public void Add(in Hash256 hash, long token, long sentTicks, object? owner = null)
    {
        if (token == 0) throw new ArgumentOutOfRangeException(nameof(token), "token 0 is reserved");
        lock (_gate)
        {
            if (_count >= MaxPending)
            {
                _untracked++;
                return;
            }
            if ((_count + 1) * 2 > _entries.Length) Grow();
            Insert(_entries, new Entry { Hash = hash, Token = token, SentTicks = sentTicks, Owner = owner });
            _count++;
        }
    }

    /// <summary>If the hash is one of ours, removes it and returns its token and sent time.</summary>
    public bool TryMatch(ReadOnlySpan<byte> hash32, out long token, out long sentTicks) => TryMatch(hash32, out token, out sentTicks, out _);

    /// <summary>If the hash is one of ours, removes it and returns its token, sent time and owner.</summary>
    public bool TryMatch(ReadOnlySpan<byte> hash32, out long token, out long sentTicks, out object? owner)
    {
        token = 0;
        sentTicks = 0;
        owner = null;
        lock (_gate)
        {
            Entry[] entries = _entries;
            int mask = entries.Length - 1;
            for (int i = Slot(hash32, mask); ; i = (i + 1) & mask)
            {
                ref Entry entry = ref entries[i];
                if (entry.Token == 0) return false;
                if (entry.Hash.Bytes.SequenceEqual(hash32))
                {
                    token = entry.Token;
                    sentTicks = entry.SentTicks;
                    owner = entry.Owner;
                    RemoveAt(entries, i);
                    _count--;
                    Interlocked.Increment(ref _included);
                    return true;
                }
            }
        }
    }

    private static int Slot(ReadOnlySpan<byte> hash32, int mask) => (int)(BinaryPrimitives.ReadUInt64LittleEndian(hash32) & (ulong)mask);

    private static void Insert(Entry[] entries, in Entry entry)
    {
        int mask = entries.Length - 1;
        int i = Slot(entry.Hash.Bytes, mask);
        while (entries[i].Token != 0) i = (i + 1) & mask;
        entries[i] = entry;
    }

    /// <summary>Backward-shift deletion keeps linear probing correct without tombstones.</summary>
    private static void RemoveAt(Entry[] entries, int hole)
    {
        int mask = entries.Length - 1;
        entries[hole] = default;
        for (int i = (hole + 1) & mask; entries[i].Token != 0; i = (i + 1) & mask)
        {
            int home = Slot(entries[i].Hash.Bytes, mask);
            // Move entry i into the hole if the hole lies cyclically between its home slot and i.
            bool between = hole <= i ? home <= hole || home > i : home <= hole && home > i;
            if (!between) continue;
            entries[hole] = entries[i];
            entries[i] = default;
            hole = i;
        }
    }

    private void Grow()
    {
        var bigger = new Entry[_entries.Length * 2];
        foreach (Entry entry in _entries)
            if (entry.Token != 0) Insert(bigger, entry);
        _entries = bigger;
    }
}
