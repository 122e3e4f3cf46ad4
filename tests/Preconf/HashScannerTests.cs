using System.Text;
using FastLoad.Engine.Preconf;

namespace FastLoad.Tests.Preconf;

public class HashScannerTests
{
    private const string A = "0x1111111111111111111111111111111111111111111111111111111111111111";
    private const string B = "0xABCDEFabcdef0123456789abcdef0123456789ABCDEF0123456789abcdef0123";

    private static List<string> Scan(string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        var found = new List<string>();
        Span<byte> hash = stackalloc byte[32];
        int position = 0;
        while (HashScanner.TryNext(bytes, ref position, hash)) found.Add("0x" + Convert.ToHexStringLower(hash));
        return found;
    }

    [Fact]
    public void Finds_every_hash_of_a_message_in_order_whatever_its_case()
    {
        Assert.Equal([A, B.ToLowerInvariant(), A], Scan("{\"type\":\"preconf\",\"txs\":[\"" + A + "\",\"" + B + "\"],\"receipts\":{\"" + A + "\":{\"status\":\"0x1\"}}}"));
        Assert.Equal([A], Scan(A));                              // the whole message
        Assert.Equal([A], Scan("hash=" + A.Replace("0x", "0X", StringComparison.Ordinal) + "."));
    }

    [Theory]
    [InlineData("{\"to\":\"0x1111111111111111111111111111111111111111\"}")]                                    // an address: 40 digits
    [InlineData("{\"raw\":\"0x1111111111111111111111111111111111111111111111111111111111111111ff\"}")]        // longer hex: a raw tx or calldata
    [InlineData("{\"x\":\"0x111111111111111111111111111111111111111111111111111111111111111\"}")]             // 63 digits
    [InlineData("{\"x\":\"a0x1111111111111111111111111111111111111111111111111111111111111111\"}")]           // part of a word
    [InlineData("{\"x\":\"0x11111111111111111111111111111111111111111111111111111111111111g1\"}")]           // not hex
    [InlineData("")]
    public void Ignores_what_is_not_a_hash(string text) => Assert.Empty(Scan(text));

    [Fact]
    public void A_hash_after_a_long_hex_value_is_still_found()
    {
        string raw = "0x02f8" + new string('a', 400);
        Assert.Equal([A], Scan($$"""{"transactions":["{{raw}}"],"hash":"{{A}}"}"""));
    }

    [Fact]
    public void Scanning_allocates_nothing()
    {
        byte[] bytes = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat($$"""{"tx":"{{A}}","raw":"0x02f8{{new string('b', 200)}}"},""", 200)));
        Span<byte> hash = stackalloc byte[32];
        int found = 0;
        for (int warm = 0; warm < 2; warm++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            int position = 0;
            found = 0;
            while (HashScanner.TryNext(bytes, ref position, hash)) found++;
            if (warm == 1) Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.Equal(200, found);
    }
}
