using System.Buffers.Binary;
using FastLoad.Engine.Primitives;

namespace FastLoad.Engine.Workloads.Abi;

/// <summary>
/// Writes ABI-encoded calldata into a caller-owned span: a selector, then static 32-byte words (addresses, uints,
/// bytes32). No reflection, no allocation; the caller sizes the span (4 + 32 per word). Dynamic arrays are for the
/// cold path (set-up batches): <see cref="AddressArrayCall"/>.
/// </summary>
public ref struct AbiWriter(Span<byte> destination)
{
    private readonly Span<byte> _destination = destination;
    private int _length;

    public readonly int Length => _length;

    public void Selector(AbiSelector selector)
    {
        selector.WriteTo(_destination[_length..]);
        _length += 4;
    }

    public void Address(in Address address)
    {
        Span<byte> word = _destination.Slice(_length, 32);
        word[..12].Clear();
        address.Bytes.CopyTo(word[12..]);
        _length += 32;
    }

    public void UInt(in UInt256 value)
    {
        value.WriteBigEndian32(_destination.Slice(_length, 32));
        _length += 32;
    }

    public void UInt(ulong value)
    {
        Span<byte> word = _destination.Slice(_length, 32);
        word[..24].Clear();
        BinaryPrimitives.WriteUInt64BigEndian(word[24..], value);
        _length += 32;
    }

    public void Bytes32(ReadOnlySpan<byte> value32)
    {
        value32[..32].CopyTo(_destination.Slice(_length, 32));
        _length += 32;
    }

    /// <summary>
    /// Cold path: <c>f(bytes32|uint256 head, address[] list)</c> or <c>f(address[] list, uint256 tail)</c> calldata
    /// (the two set-up batch shapes), allocated.
    /// </summary>
    public static byte[] AddressArrayCall(AbiSelector selector, ReadOnlySpan<Address> list, ReadOnlySpan<byte> word32, bool wordFirst)
    {
        var data = new byte[4 + 32 * 3 + 32 * list.Length];
        var w = new AbiWriter(data);
        w.Selector(selector);
        if (wordFirst)
        {
            w.Bytes32(word32);
            w.UInt(64UL); // offset of the array: after the two head words
        }
        else
        {
            w.UInt(64UL);
            w.Bytes32(word32);
        }
        w.UInt((ulong)list.Length);
        foreach (Address a in list) w.Address(a);
        return data;
    }
}
