using System.Globalization;
using System.Text;
using FastLoad.Engine.Crypto;
using FastLoad.Engine.Primitives;

namespace FastLoad.Engine.Sink;

/// <summary>
/// The fixed JSON pieces of the sink's answers, built once per server: results that depend only on
/// the chain id, and the parts of the block object around its timestamp.
/// </summary>
internal sealed class SinkResults
{
    public const string GasPriceHex = "0x3b9aca00";      // 1 gwei
    public const string BalanceHex = "0xffffffffffffffffffffffffffffff";
    public const string GasLimitHex = "0x1c9c380";       // 30,000,000
    public const string EstimateGasHex = "0x5208";       // 21,000

    public SinkResults(ulong chainId)
    {
        ChainId = chainId;
        ChainIdResult = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"\"0x{chainId:x}\""));
        NetVersionResult = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"\"{chainId}\""));
        Span<byte> hash = stackalloc byte[32];
        Keccak256.Hash("fastload sink block 0"u8, hash);
        BlockHash = Hex.ToPrefixedString(hash);
        BlockPrefix = Encoding.UTF8.GetBytes(
            $"{{\"number\":\"0x0\",\"hash\":\"{BlockHash}\",\"parentHash\":\"0x{new string('0', 64)}\",\"timestamp\":\"0x");
        BlockSuffix = Encoding.UTF8.GetBytes(
            $"\",\"baseFeePerGas\":\"{GasPriceHex}\",\"gasLimit\":\"{GasLimitHex}\",\"gasUsed\":\"0x0\",\"transactions\":[]}}");
    }

    public ulong ChainId { get; }

    /// <summary>The hash the sink gives its one block.</summary>
    public string BlockHash { get; }

    public byte[] ChainIdResult { get; }

    public byte[] NetVersionResult { get; }

    /// <summary>The block object up to the timestamp's hex digits.</summary>
    public byte[] BlockPrefix { get; }

    /// <summary>The block object after the timestamp's hex digits.</summary>
    public byte[] BlockSuffix { get; }
}
