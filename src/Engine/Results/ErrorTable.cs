using System.Text;
using FastLoad.Engine.Rpc;

namespace FastLoad.Engine.Results;

/// <summary>
/// Interns error messages so each distinct text is stored once and a tx row carries only its id. Looking up a
/// known message allocates nothing (a hash of the bytes, then a compare); a new one is copied once. Bounded:
/// after <see cref="MaxMessages"/> distinct texts, further new ones share one "(more messages not kept)" id per
/// outcome class. Thread-safe (errors come from every response handler).
/// </summary>
public sealed class ErrorTable
{
    /// <summary>Longest message kept, in UTF-8 bytes (longer ones are cut).</summary>
    public const int MaxMessageBytes = 240;

    public const int MaxMessages = 4096;

    private readonly record struct Entry(int Hash, byte Outcome, byte[] Message, int Next);

    private readonly Lock _gate = new();
    private readonly List<Entry> _entries = [default]; // ids start at 1
    private readonly Dictionary<int, int> _byHash = [];
    private readonly int[] _overflow = new int[Enum.GetValues<TxOutcome>().Length];

    /// <summary>Distinct messages so far (ids 1..Count).</summary>
    public int Count
    {
        get { lock (_gate) return _entries.Count - 1; }
    }

    /// <summary>The id of this outcome + message; 0 for an empty message.</summary>
    public int Intern(TxOutcome outcome, ReadOnlySpan<byte> message)
    {
        if (message.IsEmpty) return 0;
        if (message.Length > MaxMessageBytes) message = message[..MaxMessageBytes];
        var hasher = new HashCode();
        hasher.Add((byte)outcome);
        hasher.AddBytes(message);
        int hash = hasher.ToHashCode();
        lock (_gate)
        {
            if (_byHash.TryGetValue(hash, out int id))
            {
                for (int i = id; i != 0; i = _entries[i].Next)
                {
                    Entry e = _entries[i];
                    if (e.Hash == hash && e.Outcome == (byte)outcome && message.SequenceEqual(e.Message)) return i;
                }
            }
            if (_entries.Count > MaxMessages) return Overflow(outcome);
            _entries.Add(new Entry(hash, (byte)outcome, message.ToArray(), id));
            _byHash[hash] = _entries.Count - 1;
            return _entries.Count - 1;
        }
    }

    /// <summary>Messages with ids from <paramref name="firstId"/> on (for the writer to store new ones).</summary>
    public IReadOnlyList<(int Id, TxOutcome Outcome, string Message)> Since(int firstId)
    {
        var list = new List<(int, TxOutcome, string)>();
        lock (_gate)
        {
            for (int i = Math.Max(1, firstId); i < _entries.Count; i++)
                list.Add((i, (TxOutcome)_entries[i].Outcome, Encoding.UTF8.GetString(_entries[i].Message)));
        }
        return list;
    }

    private int Overflow(TxOutcome outcome)
    {
        ref int id = ref _overflow[(int)outcome];
        if (id == 0)
        {
            _entries.Add(new Entry(0, (byte)outcome, "(more distinct messages than FastLoad keeps)"u8.ToArray(), 0));
            id = _entries.Count - 1;
        }
        return id;
    }
}
