using System.Diagnostics.CodeAnalysis;
using FastLoad.Engine.Primitives;

namespace FastLoad.Engine.Rlp;

/// <summary>Malformed or non-canonical RLP.</summary>
public sealed class RlpException(string message) : Exception(message);

/// <summary>
/// A strict RLP reader over a span: it rejects every non-canonical form (a single byte below 0x80
/// wrapped in a header, a long header for a short payload, length bytes with leading zeros,
/// lengths past the input) and, for integers, leading zero bytes. Decoding is a cold path.
/// </summary>
public ref struct RlpReader
{
    private readonly ReadOnlySpan<byte> _data;

    public RlpReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        Position = 0;
    }

    public int Position { get; private set; }

    public readonly bool HasMore => Position < _data.Length;

    public readonly bool PeekIsList
    {
        get
        {
            if (!HasMore) Throw("unexpected end of input");
            return _data[Position] >= Rlp.EmptyList;
        }
    }

    /// <summary>Reads a list header; returns the position where the list ends.</summary>
    public int ReadListHeader()
    {
        (bool isList, int payloadStart, int payloadLength) = ReadHeader();
        if (!isList) Throw("expected a list, found a string");
        Position = payloadStart;
        return payloadStart + payloadLength;
    }

    /// <summary>Reads a byte string (the payload of a string item).</summary>
    public ReadOnlySpan<byte> ReadString()
    {
        (bool isList, int payloadStart, int payloadLength) = ReadHeader();
        if (isList) Throw("expected a string, found a list");
        Position = payloadStart + payloadLength;
        return _data.Slice(payloadStart, payloadLength);
    }

    /// <summary>Skips one item (string or list) and returns its whole encoding.</summary>
    public ReadOnlySpan<byte> ReadItem()
    {
        int start = Position;
        (_, int payloadStart, int payloadLength) = ReadHeader();
        Position = payloadStart + payloadLength;
        return _data[start..Position];
    }

    public ulong ReadULong()
    {
        ReadOnlySpan<byte> bytes = ReadCanonicalInteger(8);
        ulong value = 0;
        foreach (byte b in bytes) value = (value << 8) | b;
        return value;
    }

    public UInt256 ReadUInt256() => UInt256.FromBigEndian(ReadCanonicalInteger(32));

    public byte ReadByteValue()
    {
        ulong value = ReadULong();
        if (value > byte.MaxValue) Throw("integer does not fit in a byte");
        return (byte)value;
    }

    public Address ReadAddress()
    {
        ReadOnlySpan<byte> bytes = ReadString();
        if (bytes.Length != Address.Size) Throw($"address must be 20 bytes, got {bytes.Length}");
        return new Address(bytes);
    }

    /// <summary>An address, or null for the empty string (contract creation).</summary>
    public Address? ReadOptionalAddress()
    {
        ReadOnlySpan<byte> bytes = ReadString();
        if (bytes.Length == 0) return null;
        if (bytes.Length != Address.Size) Throw($"address must be 20 bytes or empty, got {bytes.Length}");
        return new Address(bytes);
    }

    public Hash256 ReadHash256()
    {
        ReadOnlySpan<byte> bytes = ReadString();
        if (bytes.Length != Hash256.Size) Throw($"hash must be 32 bytes, got {bytes.Length}");
        return new Hash256(bytes);
    }

    private ReadOnlySpan<byte> ReadCanonicalInteger(int maxBytes)
    {
        ReadOnlySpan<byte> bytes = ReadString();
        if (bytes.Length > maxBytes) Throw($"integer longer than {maxBytes} bytes");
        if (bytes.Length > 0 && bytes[0] == 0) Throw("integer has leading zero bytes");
        return bytes;
    }

    /// <summary>Checks that a list ended exactly where its header said.</summary>
    public readonly void ExpectEnd(int end)
    {
        if (Position != end) Throw("list has extra or missing items");
    }

    /// <summary>Checks that the whole input was consumed.</summary>
    public readonly void ExpectEndOfInput()
    {
        if (Position != _data.Length) Throw("trailing bytes after the RLP item");
    }

    private (bool IsList, int PayloadStart, int PayloadLength) ReadHeader()
    {
        if (!HasMore) Throw("unexpected end of input");
        int p = Position;
        byte prefix = _data[p];
        bool isList = prefix >= Rlp.EmptyList;
        int start, length;
        if (prefix < 0x80)
        {
            return (false, p, 1);
        }
        if (prefix <= 0xb7 || (prefix >= 0xc0 && prefix <= 0xf7))
        {
            length = prefix - (isList ? 0xc0 : 0x80);
            start = p + 1;
            if (!isList && length == 1)
            {
                if (start >= _data.Length) Throw("unexpected end of input");
                if (_data[start] < 0x80) Throw("single byte below 0x80 must not have a header");
            }
        }
        else
        {
            int lengthOfLength = prefix - (isList ? 0xf7 : 0xb7);
            if (p + 1 + lengthOfLength > _data.Length) Throw("unexpected end of input in length");
            if (_data[p + 1] == 0) Throw("length has leading zero bytes");
            if (lengthOfLength > 4) Throw("length too large");
            ulong longLength = 0;
            for (int i = 0; i < lengthOfLength; i++) longLength = (longLength << 8) | _data[p + 1 + i];
            if (longLength < 56) Throw("long header used for a payload under 56 bytes");
            if (longLength > int.MaxValue) Throw("length too large");
            length = (int)longLength;
            start = p + 1 + lengthOfLength;
        }
        if ((long)start + length > _data.Length) Throw("item runs past the end of input");
        return (isList, start, length);
    }

    [DoesNotReturn]
    private static void Throw(string message) => throw new RlpException(message);
}
