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
        public long Token;   // caller's id for the tx (e.g. its JSON-RPC id), negated for an ambiguous tx; 0 = empty slot
        public long SentTicks;
        public object? Owner; // e.g. the sending wallet, handed back on a match
        public ulong Nonce;   // the tx's nonce, handed back on a match
    }

    private readonly Lock _gate = new();
    private Entry[] _entries;
    private int _count;
    private int _ambiguous;
    private long _included;
    private long _includedAmbiguous;
    private long _untracked;

    /// <summary>Most txs waiting at once unless <see cref="MaxPending"/> says otherwise.</summary>
    public const int DefaultMaxPending = 1 << 20;

    /// <param name="capacity">Txs that can wait at once before the table grows (it is kept at most half full).</param>
    public InclusionTracker(int capacity = 1 << 16)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, 1 << 29);
        _entries = new Entry[(int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, capacity * 2))];
    }

    /// <summary>
    /// A tracker sized at start for a run that will send <paramref name="txs"/> (when known: a replay file's count,
    /// <c>--count</c>), up to <see cref="DefaultMaxPending"/>: however many wait at once (all of them, when the target
    /// makes no blocks), the table never grows mid-run (a growth copies every entry and touches twice the memory
    /// while the run sends). Unknown: the default size, grown as needed.
    /// </summary>
    public static InclusionTracker ForRun(long? txs) =>
        txs is long n ? new InclusionTracker((int)Math.Clamp(n, 16, DefaultMaxPending)) : new InclusionTracker();

    /// <summary>Slots in the table (twice the txs it holds before it grows).</summary>
    public int Capacity { get { lock (_gate) return _entries.Length; } }

    /// <summary>Times the table grew.</summary>
    public int Grows { get; private set; }

    /// <summary>Accepted txs added and not yet seen in a block (ambiguous ones are counted apart).</summary>
    public int Pending { get { lock (_gate) return _count - _ambiguous; } }

    /// <summary>Ambiguous txs (the node's answer was lost or unreadable) not seen in a block yet.</summary>
    public int PendingAmbiguous { get { lock (_gate) return _ambiguous; } }

    /// <summary>Txs seen in a block, ambiguous ones included.</summary>
    public long Included => Interlocked.Read(ref _included);

    /// <summary>Ambiguous txs seen in a block: they did land.</summary>
    public long IncludedAmbiguous => Interlocked.Read(ref _includedAmbiguous);

    /// <summary>Most txs waiting at once; beyond it new ones are counted in <see cref="Untracked"/> instead (bounded memory).</summary>
    public int MaxPending { get; init; } = DefaultMaxPending;

    /// <summary>Txs not tracked because <see cref="MaxPending"/> were already waiting.</summary>
    public long Untracked => Interlocked.Read(ref _untracked);

    /// <summary>
    /// Remembers an accepted tx, or with <paramref name="ambiguous"/> one whose answer was lost (it may have landed;
    /// a match then settles it). <paramref name="token"/> must be positive. A hash already waiting is not added
    /// twice; an ambiguous entry becomes an accepted one when the same tx is later accepted. <paramref name="owner"/>
    /// comes back with the match, and so does <paramref name="nonce"/>.
    /// </summary>
    public void Add(in Hash256 hash, long token, long sentTicks, object? owner = null, bool ambiguous = false, ulong nonce = 0)
    {
        if (token <= 0) throw new ArgumentOutOfRangeException(nameof(token), "tokens are positive");
        lock (_gate)
        {
            Entry[] entries = _entries;
            int mask = entries.Length - 1;
            for (int i = Slot(hash.Bytes, mask); entries[i].Token != 0; i = (i + 1) & mask)
            {
                if (!entries[i].Hash.Bytes.SequenceEqual(hash.Bytes)) continue;
                if (!ambiguous && entries[i].Token < 0)
                {
                    entries[i].Token = -entries[i].Token;
                    _ambiguous--;
                }
                return;
            }
            if (_count >= MaxPending)
            {
                _untracked++;
                return;
            }
            if ((_count + 1) * 2 > _entries.Length) Grow();
            Insert(_entries, new Entry { Hash = hash, Token = ambiguous ? -token : token, SentTicks = sentTicks, Owner = owner, Nonce = nonce });
            _count++;
            if (ambiguous) _ambiguous++;
        }
    }

    /// <summary>Removes and returns the ambiguous txs still waiting (cold: once, at the end of a run).</summary>
    public List<(Hash256 Hash, long Token)> TakeAmbiguous()
    {
        var taken = new List<(Hash256, long)>();
        lock (_gate)
        {
            for (int i = 0; i < _entries.Length; i++)
            {
                if (_entries[i].Token >= 0) continue;
                taken.Add((_entries[i].Hash, -_entries[i].Token));
                RemoveAt(_entries, i);
                _count--;
                _ambiguous--;
                i--; // backward shift may have moved another entry into slot i
            }
        }
        return taken;
    }

    /// <summary>If the hash is one of ours, removes it and returns its token (negative for an ambiguous tx) and sent time.</summary>
    public bool TryMatch(ReadOnlySpan<byte> hash32, out long token, out long sentTicks) => TryMatch(hash32, out token, out sentTicks, out _, out _);

    /// <summary>As above, with the owner given to <see cref="Add"/>.</summary>
    public bool TryMatch(ReadOnlySpan<byte> hash32, out long token, out long sentTicks, out object? owner) => TryMatch(hash32, out token, out sentTicks, out owner, out _);

    /// <summary>As above, with the owner and the nonce given to <see cref="Add"/>.</summary>
    public bool TryMatch(ReadOnlySpan<byte> hash32, out long token, out long sentTicks, out object? owner, out ulong nonce)
    {
        token = 0;
        sentTicks = 0;
        owner = null;
        nonce = 0;
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
                    nonce = entry.Nonce;
                    RemoveAt(entries, i);
                    _count--;
                    Interlocked.Increment(ref _included);
                    if (token < 0)
                    {
                        _ambiguous--;
                        Interlocked.Increment(ref _includedAmbiguous);
                    }
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
        Grows++;
    }
}
