using System.CommandLine;
using FastLoad.Engine.Load;
using FastLoad.Engine.Workloads;
using FastLoad.Engine.Rpc;
using FastLoad.Engine.Wallets;
using FastLoad.Runner.Logging;

namespace FastLoad.Runner.Commands;

/// <summary><c>fastload presign</c>: sign N txs into a file for <c>run --replay</c>.</summary>
public static class PresignCommand
{
    public static Command Create()
    {
        var count = new Option<long>("--count", "-n") { Description = "Transactions to sign.", Required = true };
        var output = new Option<FileInfo>("--out", "-o") { Description = "File to write.", Required = true };
        var rpc = new Option<string?>("--rpc") { Description = "Node to take chain id, gas prices and nonces from (default: a fresh chain, nonces from 0)." };
        var chainId = new Option<ulong>("--chain-id") { Description = "Chain id when there is no --rpc.", DefaultValueFactory = _ => 31337 };
        var wallets = new Option<int>("--wallets", "-w") { Description = "Wallets across all shards.", DefaultValueFactory = _ => 100 };
        var signers = new Option<int>("--signers") { Description = "Signer threads (default: one per core).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var txType = new Option<string>("--tx-type") { Description = "legacy, 2930, 1559 or 7702.", DefaultValueFactory = _ => "1559" };
        var seed = new Option<string>("--seed") { Description = "Seed the wallets are derived from.", DefaultValueFactory = _ => "fastload" };
        var shard = new Option<string>("--shard") { Description = "This process's shard i/N of the wallets.", DefaultValueFactory = _ => "0/1" };
        var funder = new FunderKeyOptions("File holding the funder's 0x private key (or set FASTLOAD_FUNDER_KEY); the wallets derive from it and the seed. Default without --rpc: the local anvil's dev account.");
        var allowMainnet = new Option<bool>("--allow-mainnet") { Description = "Allow a public mainnet chain id; refused otherwise." };
        var logFile = CliLog.FileOption();
        var logLevel = CliLog.LevelOption();
        var command = new Command("presign", """
            Sign transactions up front on every core into a file; `fastload run --replay FILE` then sends them without signing.
            The wallets derive from the funder key and the seed; the file records the funder's address (never its key),
            and the replay must be given the same funder.
            Examples:
              fastload presign --count 1000000 --out txs.bin                       for a fresh local anvil (chain 31337, nonces from 0)
              FASTLOAD_FUNDER_KEY=0x… fastload presign --count 1000000 --out txs.bin --rpc http://127.0.0.1:8545
              FASTLOAD_FUNDER_KEY=0x… fastload presign --count 100000 --out txs.bin --rpc https://rpc.example/v1 --header 'Authorization: Bearer $RPC_TOKEN'
              fastload run --replay txs.bin --max
            """)
        {
            count, output, rpc, chainId, wallets, signers, txType, seed, shard, allowMainnet, logFile, logLevel,
        };
        funder.AddTo(command);
        var connection = new ConnectionFlags();
        connection.AddTo(command);
        command.SetAction(parse =>
        {
            CliLog? log = null;
            try
            {
                long n = parse.GetValue(count);
                if (n < 1) throw new ArgumentException("--count must be at least 1");
                string? url = parse.GetValue(rpc);
                (IReadOnlyList<NodeHeader> headers, TlsOptions tls) = connection.Read(parse, url is null ? 0 : 1, "presign");
                if (url is not null) RpcEndpoint.Parse(url, new RpcConnectOptions { Headers = NodeHeader.For(headers, 0), Tls = tls });
                var options = new RunOptions
                {
                    Rpc = url is null ? [] : [url],
                    Headers = headers,
                    Tls = tls,
                    Wallets = parse.GetValue(wallets),
                    Signers = parse.GetValue(signers),
                    TxType = TransferWorkload.ParseType(parse.GetValue(txType)!),
                    Seed = parse.GetValue(seed)!,
                    Shard = Shard.Parse(parse.GetValue(shard)!),
                    AllowMainnet = parse.GetValue(allowMainnet),
                    // Without a node the txs are for a fresh local anvil, which `run --replay` funds from its dev account.
                    FunderKey = funder.Read(parse, "presign") ?? (url is null ? Engine.Nodes.LocalAnvil.DevKey : null),
                };
                string path = parse.GetValue(output)!.FullName;
                log = CliLog.Create("presign", parse.GetValue(logFile), parse.GetValue(logLevel)!, Console.WriteLine);
                options = options with { Logger = log.Logger };
                log.Logger.PresignStart(n, path, options.Wallets, Engine.Requests.SignRequest.TypeName(options.TxType));
                PresignJob.Result result = new PresignJob(options, n, path, parse.GetValue(chainId)).RunAsync(CancellationToken.None).GetAwaiter().GetResult();
                log.Logger.Presigned(result.Count, path, result.Bytes / 1048576.0, result.Elapsed.TotalSeconds, result.Rate);
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or RunSetupException or RpcTransportException or RpcException or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"fastload presign: {EnvironmentOptions.Annotate(e.Message)}");
                log?.Logger.CommandFailed("presign", e.Message);
                return 2;
            }
            finally
            {
                log?.Dispose();
            }
        });
        return command;
    }
}
