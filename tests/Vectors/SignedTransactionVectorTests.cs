using System.Buffers;
using System.Text;
using System.Text.Json;
using FastLoad.Engine.Requests;
using FastLoad.Engine.Transactions;
using FastLoad.Tests.Infrastructure;

namespace FastLoad.Tests.Vectors;

/// <summary>
/// Every vector in shared/vectors (made by cast, an independent implementation) must come out
/// byte-identical: raw envelope, tx hash and sender — through the library and through `fastload sign`.
/// </summary>
public class SignedTransactionVectorTests
{
    public static TheoryData<int, string> SignedTransactions => VectorFiles.Cases(VectorFiles.SignedTransactionsPath);

    public static TheoryData<int, string> Signed7702 => VectorFiles.Cases(VectorFiles.Signed7702Path);

    private static JsonElement SignThroughLibrary(string line)
    {
        var request = new SignRequest();
        request.Parse(Encoding.UTF8.GetBytes(line));
        var output = new ArrayBufferWriter<byte>();
        new SignedTxWriter { Verify = true }.Sign(request, output);
        return JsonDocument.Parse(output.WrittenMemory).RootElement.Clone();
    }

    /// <summary>raw, hash and sender of our output equal the vector's, to the byte (sender in EIP-55 case).</summary>
    private static void AssertSameTx(string vectorLine, JsonElement actual)
    {
        Assert.Equal(VectorFiles.Field(vectorLine, "raw"), actual.GetProperty("raw").GetString());
        Assert.Equal(VectorFiles.Field(vectorLine, "hash"), actual.GetProperty("hash").GetString());
        Assert.Equal(VectorFiles.Field(vectorLine, "sender"), actual.GetProperty("sender").GetString());
    }

    [Fact]
    public void Vector_files_hold_the_expected_cases()
    {
        Assert.Equal(300, VectorFiles.Lines(VectorFiles.SignedTransactionsPath).Length);
        Assert.Equal(60, VectorFiles.Lines(VectorFiles.Signed7702Path).Length);
    }

    [Theory]
    [MemberData(nameof(SignedTransactions))]
    public void Library_signs_cast_vector_byte_identically(int lineNumber, string line)
    {
        JsonElement actual = SignThroughLibrary(line);
        Assert.True(lineNumber > 0);
        AssertSameTx(line, actual);
    }

    [Theory]
    [MemberData(nameof(Signed7702))]
    public void Library_signs_cast_7702_vector_byte_identically(int lineNumber, string line)
    {
        JsonElement actual = SignThroughLibrary(line);
        Assert.True(lineNumber > 0);
        AssertSameTx(line, actual);
        using var expected = JsonDocument.Parse(line);
        string[] expectedAuths = expected.RootElement.GetProperty("signedAuthorizations").EnumerateArray().Select(e => e.GetString()!).ToArray();
        string[] actualAuths = actual.GetProperty("signedAuthorizations").EnumerateArray().Select(e => e.GetString()!).ToArray();
        Assert.Equal(expectedAuths, actualAuths);
    }

    [Theory]
    [MemberData(nameof(Signed7702))]
    public void Decoded_7702_vector_recovers_sender_and_every_authority(int lineNumber, string line)
    {
        using var doc = JsonDocument.Parse(line);
        DecodedTransaction decoded = TransactionDecoder.Decode(Convert.FromHexString(VectorFiles.Field(line, "raw")[2..]));
        Assert.Equal(TxType.SetCode, decoded.Type);
        Assert.True(decoded.TryRecoverSender(out var sender), $"line {lineNumber}");
        Assert.Equal(VectorFiles.Field(line, "sender").ToLowerInvariant(), sender.ToString());
        var body = (SetCodeTransaction)decoded.Body;
        JsonElement[] auths = doc.RootElement.GetProperty("authorizationList").EnumerateArray().ToArray();
        Assert.Equal(auths.Length, body.AuthorizationList.Length);
        for (int i = 0; i < auths.Length; i++)
        {
            Assert.True(Engine.Signing.PrivateKey.TryParse(auths[i].GetProperty("signerKey").GetString(), out var authorityKey));
            Assert.True(body.AuthorizationList.Span[i].TryRecoverAuthority(out var authority));
            Assert.Equal(authorityKey.Address, authority);
        }
    }

    [Fact]
    public async Task Fastload_sign_reproduces_every_vector_in_order()
    {
        string[] lines = VectorFiles.Lines(VectorFiles.SignedTransactionsPath).Concat(VectorFiles.Lines(VectorFiles.Signed7702Path)).ToArray();
        ProcessResult result = await ProcessRunner.RunFastloadAsync(string.Join('\n', lines) + "\n", "sign", "--verify");
        Assert.True(result.ExitCode == 0, result.StdErr);
        string[] output = result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(lines.Length, output.Length);
        for (int i = 0; i < lines.Length; i++)
        {
            using var actual = JsonDocument.Parse(output[i]);
            AssertSameTx(lines[i], actual.RootElement);
        }
        Assert.Contains("360 requests, 0 failed", result.StdErr);
    }
}
