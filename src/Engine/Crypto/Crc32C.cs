using System.Buffers.Binary;
using System.Numerics;

namespace FastLoad.Engine.Crypto;

/// <summary>
/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78, initial value and final XOR 0xFFFFFFFF), through
/// <see cref="BitOperations.Crc32C(uint, ulong)"/>: the SSE4.2 / ARMv8 CRC instruction, 8 bytes a step, with the
/// runtime's table fallback elsewhere. It guards presigned files against damaged or flipped bytes; it is no MAC.
/// </summary>
public static class Crc32C
{
    /// <summary>The checksum of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Finish(Append(Start, data));

    /// <summary>The running value to pass to the first <see cref="Append"/>.</summary>
    public const uint Start = 0xFFFF_FFFF;

    /// <summary>Continues a running value over <paramref name="data"/>.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }
        foreach (byte b in data) crc = BitOperations.Crc32C(crc, b);
        return crc;
    }

    /// <summary>The checksum from a running value.</summary>
    public static uint Finish(uint crc) => ~crc;
}
