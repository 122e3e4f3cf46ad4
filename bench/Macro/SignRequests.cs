using System.Globalization;
using System.Text;
using FastLoad.Engine.Primitives;
using FastLoad.Engine.Signing;

namespace FastLoad.Benchmarks.Macro;

/// <summary>
/// Writes N `fastload sign` requests (EIP-1559 transfers from 1,000 seed-derived keys, rotating) to stdout,
/// to measure `fastload sign` throughput and memory over millions of lines.
/// Usage: bench sign-requests [count=1000000] > requests.jsonl
/// </summary>
public static class SignRequests
{
    public static int Run(string[] args)
    {
        long count = args.Length > 0 ? long.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
        const int keyCount = 1000;
        var keys = new string[keyCount];
        for (int i = 0; i < keyCount; i++) keys[i] = Hex.ToPrefixedString(DeterministicKeys.Derive("sign-requests", (ulong)i).Bytes);
        using var output = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 1 << 16);
        for (long n = 0; n < count; n++)
        {
            output.Write(string.Create(CultureInfo.InvariantCulture,
                $$"""{"type":"eip1559","privateKey":"{{keys[n % keyCount]}}","chainId":"31337","nonce":"{{n / keyCount}}","gasLimit":"21000","to":"0x000000000000000000000000000000000000dead","value":"1","data":"0x","maxFeePerGas":"30000000000","maxPriorityFeePerGas":"1000000000"}"""));
            output.Write('\n');
        }
        return 0;
    }
}
