using FastLoad.Engine.Crypto;

namespace FastLoad.Engine.Primitives;

/// <summary>EIP-55 mixed-case checksum addresses.</summary>
public static class Checksum
{
    public const int AddressLength = 42;

    /// <summary>Writes "0x" + 40 checksummed hex chars as UTF-8.</summary>
    public static void WriteUtf8(in Address address, Span<byte> destination42)
    {
        Span<byte> lower = destination42[2..AddressLength];
        Hex.WritePrefixedUtf8(address.Bytes, destination42);
        Bytes32 hash = default;
        Keccak256.Hash(lower, hash);
        for (int i = 0; i < 40; i++)
        {
            byte c = lower[i];
            if (c < (byte)'a') continue;
            int nibble = (i & 1) == 0 ? hash[i >> 1] >> 4 : hash[i >> 1] & 0x0f;
            if (nibble >= 8) lower[i] = (byte)(c - 32);
        }
    }

    public static string ToChecksumString(in Address address)
    {
        Span<byte> utf8 = stackalloc byte[AddressLength];
        WriteUtf8(address, utf8);
        return System.Text.Encoding.ASCII.GetString(utf8);
    }
}
