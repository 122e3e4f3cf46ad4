using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using FastLoad.Engine.Primitives;
using FastLoad.Engine.Signing;
using FastLoad.Engine.Transactions;

namespace FastLoad.Runner.Commands;

/// <summary>
/// <c>fastload demo</c>: the main job until the send path exists. Signs EIP-1559 transfers from
/// seed-derived wallets on every core, prints the rate, and checks a sample by decoding and recovering.
/// </summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var count = new Option<int>("--count", "-n") { Description = "Transactions to sign.", DefaultValueFactory = _ => 100_000 };
        var wallets = new Option<int>("--wallets", "-w") { Description = "Wallets (seed-derived) to sign from.", DefaultValueFactory = _ => 1000 };
        var threads = new Option<int>("--threads", "-t") { Description = "Signing threads (default: one per core).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var seed = new Option<string>("--seed") { Description = "Seed the wallets are derived from.", DefaultValueFactory = _ => "fastload-demo" };
        var command = new Command("demo", """
            Sign EIP-1559 transfers on every core and print the signing rate (no node needed).
            Example: fastload demo --count 1000000 --threads 2
            """)
        {
            count, wallets, threads, seed,
        };
        command.SetAction(parse => Run(parse.GetValue(count), parse.GetValue(wallets), parse.GetValue(threads), parse.GetValue(seed)!));
        return command;
    }

    private static int Run(int count, int walletCount, int threadCount, string seed)
    {
        if (count < 1 || walletCount < 1 || threadCount < 1)
        {
            Console.Error.WriteLine("fastload demo: --count, --wallets and --threads must be at least 1");
            return 2;
        }
        threadCount = Math.Min(threadCount, walletCount); // a wallet is never shared by two threads
        Secp256k1.EnsureAvailable();
        Console.WriteLine($"Deriving {walletCount:N0} wallets from seed '{seed}'...");
        var keys = new PrivateKey[walletCount];
        for (int i = 0; i < walletCount; i++) keys[i] = DeterministicKeys.Derive(seed, (ulong)i);
        var recipient = Address.Parse("0x000000000000000000000000000000000000dead");

        Console.WriteLine($"Signing {count:N0} EIP-1559 transfers on {threadCount} thread(s)...");
        long bytes = 0;
        int failures = 0;
        var stopwatch = Stopwatch.StartNew();
        var workers = new Thread[threadCount];
        for (int t = 0; t < threadCount; t++)
        {
            int thread = t;
            workers[t] = new Thread(() =>
            {
                // Each thread owns the wallets i with i % threads == thread, and their nonces.
                Span<byte> envelope = stackalloc byte[256];
                Span<byte> hash = stackalloc byte[32];
                var nonces = new ulong[walletCount];
                long localBytes = 0;
                int localFailures = 0;
                int wallet = thread;
                for (int i = thread; i < count; i += threadCount)
                {
                    var tx = new DynamicFeeTransaction
                    {
                        ChainId = 31337, Nonce = nonces[wallet]++, MaxPriorityFeePerGas = 1_000_000_000,
                        MaxFeePerGas = 30_000_000_000, GasLimit = 21_000, To = recipient, Value = 1,
                    };
                    int length = TransactionSigner.Sign(tx, keys[wallet], envelope, hash);
                    localBytes += length;
                    if (i % 1000 == 0 && !Verify(envelope[..length], hash, keys[wallet].Address)) localFailures++;
                    wallet += threadCount;
                    if (wallet >= walletCount) wallet = thread;
                }
                Interlocked.Add(ref bytes, localBytes);
                Interlocked.Add(ref failures, localFailures);
            }) { IsBackground = true, Name = $"signer-{t}" };
            workers[t].Start();
        }
        foreach (Thread worker in workers) worker.Join();
        stopwatch.Stop();
        double rate = count / stopwatch.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Signed {count:N0} txs ({bytes:N0} bytes) in {stopwatch.Elapsed.TotalSeconds:F2} s: {rate:N0} tx/s, {rate / threadCount:N0} tx/s per thread"));
        Console.WriteLine(failures == 0
            ? $"Verified {(count + 999) / 1000:N0} sampled txs: decoded, sender recovered, hash matches."
            : $"VERIFY FAILED for {failures} sampled txs");
        Console.WriteLine("(To send txs to a node: fastload run --help.)");
        return failures == 0 ? 0 : 1;
    }

    private static bool Verify(ReadOnlySpan<byte> envelope, ReadOnlySpan<byte> hash, Address expected)
    {
        DecodedTransaction decoded = TransactionDecoder.Decode(envelope);
        return decoded.TryRecoverSender(out Address sender) && sender == expected && decoded.Hash.Bytes.SequenceEqual(hash);
    }
}
