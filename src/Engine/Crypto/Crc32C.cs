using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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
    /// <remarks>
    /// Compiled fully optimised from its first call: at tier 0 every <see cref="BitOperations.Crc32C(uint, ulong)"/>
    /// is a call, not the instruction, and this runs over whole 1 MB blocks of presigned files (once to verify a file,
    /// once more as it is replayed), so it would spend its first blocks in that slow code until OSR replaced it.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        ref byte p = ref MemoryMarshal.GetReference(data);
        nuint length = (nuint)data.Length, i = 0;
        for (; i + 32 <= length; i += 32)
        {
            crc = BitOperations.Crc32C(crc, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, i)));
            crc = BitOperations.Crc32C(crc, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, i + 8)));
            crc = BitOperations.Crc32C(crc, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, i + 16)));
            crc = BitOperations.Crc32C(crc, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, i + 24)));
        }
        for (; i + 8 <= length; i += 8) crc = BitOperations.Crc32C(crc, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, i)));
        for (; i < length; i++) crc = BitOperations.Crc32C(crc, Unsafe.Add(ref p, i));
        return crc;
    }

    /// <summary>The checksum from a running value.</summary>
    public static uint Finish(uint crc) => ~crc;
}
