using System.Buffers;
using System.Runtime.CompilerServices;

namespace FastLoad.Engine.Sink;

/// <summary>
/// A growable byte buffer rented from <see cref="ArrayPool{T}.Shared"/>: one per connection for the
/// response being built, the decoded tx and a request body that arrived in several segments.
/// Not thread-safe; <see cref="Dispose"/> gives the array back.
/// </summary>
internal sealed class PooledBuffer(int initialCapacity) : IBufferWriter<byte>, IDisposable
{
    private byte[] _array = ArrayPool<byte>.Shared.Rent(initialCapacity);
    private int _length;

    /// <summary>Bytes written so far; setting it lower truncates.</summary>
    public int Length
    {
        get => _length;
        set
        {
            if ((uint)value > (uint)_length) throw new ArgumentOutOfRangeException(nameof(value));
            _length = value;
        }
    }

    public ReadOnlySpan<byte> WrittenSpan => _array.AsSpan(0, _length);

    public void Reset() => _length = 0;

    /// <summary>Room for at least <paramref name="sizeHint"/> more bytes after what is written.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<byte> GetSpan(int sizeHint = 1)
    {
        if (_array.Length - _length < sizeHint) Grow(sizeHint);
        return _array.AsSpan(_length);
    }

    public Memory<byte> GetMemory(int sizeHint = 1)
    {
        if (_array.Length - _length < sizeHint) Grow(sizeHint);
        return _array.AsMemory(_length);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Advance(int count) => _length += count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetSpan(bytes.Length));
        _length += bytes.Length;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(byte value)
    {
        GetSpan(1)[0] = value;
        _length++;
    }

    /// <summary>Discards the contents and returns a span of exactly <paramref name="size"/> bytes of scratch.</summary>
    public Span<byte> Scratch(int size)
    {
        _length = 0;
        if (_array.Length < size) Grow(size);
        return _array.AsSpan(0, size);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int sizeHint)
    {
        int needed = checked(_length + Math.Max(sizeHint, 1));
        byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, (int)Math.Min((long)_array.Length * 2, Array.MaxLength)));
        _array.AsSpan(0, _length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_array);
        _array = larger;
    }

    public void Dispose()
    {
        byte[] array = _array;
        _array = [];
        _length = 0;
        if (array.Length > 0) ArrayPool<byte>.Shared.Return(array);
    }
}
