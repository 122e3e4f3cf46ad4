using System.Buffers.Binary;
using System.Text;
using FastLoad.Engine.Crypto;

namespace FastLoad.Engine.Workloads.Abi;

/// <summary>
/// A function selector: the first 4 bytes of keccak256 of the canonical signature (e.g. <c>transfer(address,uint256)</c>),
/// computed once when the selector is made (a static field), then written into calldata as a big-endian word.
/// </summary>
public readonly record struct AbiSelector(uint Value, string Signature)
{
    public static AbiSelector Of(string signature)
    {
        Span<byte> hash = stackalloc byte[32];
        Keccak256.Hash(Encoding.ASCII.GetBytes(signature), hash);
        return new AbiSelector(BinaryPrimitives.ReadUInt32BigEndian(hash), signature);
    }

    public void WriteTo(Span<byte> destination) => BinaryPrimitives.WriteUInt32BigEndian(destination, Value);

    public override string ToString() => $"0x{Value:x8} {Signature}";
}
