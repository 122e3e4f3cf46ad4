using System.Buffers.Text;
using FastLoad.Engine.Primitives;

namespace FastLoad.Engine.Reads;

/// <summary>Writes one read's JSON-RPC request body into a caller's buffer: constant parts as UTF-8 literals, hex straight in.</summary>
public static class ReadRequestWriter
{
    /// <summary>Room for the longest request (eth_call with balanceOf: about 200 bytes).</summary>
    public const int MaxLength = 320;

    private static ReadOnlySpan<byte> Head => "{\"jsonrpc\":\"2.0\",\"id\":"u8;
    private static ReadOnlySpan<byte> BlockNumber => ",\"method\":\"eth_blockNumber\",\"params\":[]}"u8;
    private static ReadOnlySpan<byte> GetBalance => ",\"method\":\"eth_getBalance\",\"params\":[\""u8;
    private static ReadOnlySpan<byte> Call => ",\"method\":\"eth_call\",\"params\":[{\"to\":\""u8;
    private static ReadOnlySpan<byte> CallData => "\",\"data\":\""u8;
    private static ReadOnlySpan<byte> BalanceOfHead => "0x70a08231000000000000000000000000"u8; // balanceOf(address): selector, then the address left-padded to 32 bytes
    private static ReadOnlySpan<byte> CallTail => "\"},\"latest\"]}"u8;
    private static ReadOnlySpan<byte> LatestTail => "\",\"latest\"]}"u8;
    private static ReadOnlySpan<byte> Receipt => ",\"method\":\"eth_getTransactionReceipt\",\"params\":[\""u8;
    private static ReadOnlySpan<byte> HashTail => "\"]}"u8;

    /// <summary>eth_blockNumber.</summary>
    public static int WriteBlockNumber(Span<byte> destination, long id)
    {
        int p = WriteHead(destination, id);
        return Put(destination, p, BlockNumber);
    }

    /// <summary>eth_getBalance(wallet, "latest").</summary>
    public static int WriteGetBalance(Span<byte> destination, long id, in Address wallet)
    {
        int p = Put(destination, WriteHead(destination, id), GetBalance);
        p += Hex.WritePrefixedUtf8(wallet.Bytes, destination[p..]);
        return Put(destination, p, LatestTail);
    }

    /// <summary>eth_call({to: token, data: balanceOf(wallet)}, "latest"), or with no token ({to: funder, data: 0x}).</summary>
    public static int WriteCall(Span<byte> destination, long id, in Address to, Address? balanceOf)
    {
        int p = Put(destination, WriteHead(destination, id), Call);
        p += Hex.WritePrefixedUtf8(to.Bytes, destination[p..]);
        p = Put(destination, p, CallData);
        if (balanceOf is Address holder)
        {
            p = Put(destination, p, BalanceOfHead);
            Convert.TryToHexStringLower(holder.Bytes, destination[p..], out int written);
            p += written;
        }
        else
        {
            p = Put(destination, p, "0x"u8);
        }
        return Put(destination, p, CallTail);
    }

    /// <summary>eth_getTransactionReceipt(hash).</summary>
    public static int WriteReceipt(Span<byte> destination, long id, in Hash256 hash)
    {
        int p = Put(destination, WriteHead(destination, id), Receipt);
        p += Hex.WritePrefixedUtf8(hash.Bytes, destination[p..]);
        return Put(destination, p, HashTail);
    }

    private static int WriteHead(Span<byte> destination, long id)
    {
        Head.CopyTo(destination);
        Utf8Formatter.TryFormat(id, destination[Head.Length..], out int digits);
        return Head.Length + digits;
    }

    private static int Put(Span<byte> destination, int at, ReadOnlySpan<byte> part)
    {
        part.CopyTo(destination[at..]);
        return at + part.Length;
    }
}
