using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using FastLoad.Engine.Native;
using FastLoad.Engine.Primitives;
using FastLoad.Engine.Signing;
using FastLoad.Engine.Transactions;

namespace FastLoad.Benchmarks.Macro;

/// <summary>
/// Full-tx signing on one thread vs a plain C loop calling secp256k1_ecdsa_sign_recoverable
/// (native/bench/sign_loop.c), in one run, alternating rounds. The C loop is handed the very file the engine loaded
/// (NuGet Secp256k1.Net's libsecp256k1.so), so both sides call the same library.
/// Usage: bench sign-ratio [seconds-per-round=3] [rounds=3]
/// </summary>
public static class SignRatio
{
    public static int Run(string[] args)
    {
        double seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 3;
        int rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        string loop = FindSignLoop();
        Secp256k1.EnsureAvailable();
        string library = NativeLibraries.MappedFiles("libsecp256k1.so")[0];
        Console.WriteLine($"libsecp256k1: {library}");
        CSharpRate(0.5); // warm-up: JIT tiers, caches

        var c = new List<double>();
        var cs = new List<double>();
        for (int round = 0; round < rounds; round++)
        {
            c.Add(CRate(loop, seconds, library));
            cs.Add(CSharpRate(seconds));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"round {round + 1}: C sign loop {c[^1],10:N0} signs/s   C# full tx {cs[^1],10:N0} tx/s   ratio {cs[^1] / c[^1]:P1}"));
        }
        double cMedian = Stats.Median(c), csMedian = Stats.Median(cs);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"median:  C sign loop {cMedian:N0} signs/s, C# full EIP-1559 tx (encode+hash+sign+envelope+txhash+hex) {csMedian:N0} tx/s, ratio {csMedian / cMedian:P1}"));
        return 0;
    }


    private static string FindSignLoop()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "native", ".deps", "bin", "sign_loop");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("native/.deps/bin/sign_loop not found: run native/install.sh");
    }

    private static double CRate(string loop, double seconds, string library)
    {
        var start = new ProcessStartInfo(loop) { RedirectStandardOutput = true };
        start.ArgumentList.Add(seconds.ToString(CultureInfo.InvariantCulture));
        start.ArgumentList.Add(library);
        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        using var json = JsonDocument.Parse(output);
        return json.RootElement.GetProperty("signs_per_sec").GetDouble();
    }

    private static double CSharpRate(double seconds)
    {
        byte[] envelope = new byte[512];
        byte[] txHash = new byte[32];
        byte[] hex = new byte[1100];
        PrivateKey key = Fixtures.Key;
        long count = 0;
        ulong nonce = 0;
        var stopwatch = Stopwatch.StartNew();
        long deadline = (long)(seconds * Stopwatch.Frequency);
        while (stopwatch.ElapsedTicks < deadline)
        {
            for (int i = 0; i < 256; i++)
            {
                var tx = Fixtures.DynamicFee(nonce++);
                int length = TransactionSigner.Sign(tx, key, envelope, txHash);
                Hex.WritePrefixedUtf8(envelope.AsSpan(0, length), hex);
            }
            count += 256;
        }
        return count / stopwatch.Elapsed.TotalSeconds;
    }
}
