using System.CommandLine;
using FastLoad.Engine.Load;
using FastLoad.Engine.Rpc;
using FastLoad.Engine.Signing;
using FastLoad.Engine.Wallets;
using FastLoad.Runner.Logging;

namespace FastLoad.Runner.Commands;

/// <summary><c>fastload sweep</c>: return what is left in a run's wallets to the funder.</summary>
public static class SweepCommand
{
    public static Command Create()
    {
        var rpc = new Option<string>("--rpc") { Description = "Node URL(s), comma-separated, as given to the run (http://, or https:// with --header / --ca-cert as for the run).", Required = true };
        var wallets = new Option<int>("--wallets", "-w") { Description = "Wallets of the run (across all shards).", DefaultValueFactory = _ => 100 };
        var seed = new Option<string>("--seed") { Description = "Seed of the run.", DefaultValueFactory = _ => "fastload" };
        var shard = new Option<string>("--shard") { Description = "Shard i/N of the run.", DefaultValueFactory = _ => "0/1" };
        // Kept only to refuse it clearly: funds go back to the funder, nowhere else.
        var to = new Option<string?>("--to") { Hidden = true };
        var funderKey = new FunderKeyOptions("File holding the funder's 0x private key (or set FASTLOAD_FUNDER_KEY).");
        var allowMainnet = new Option<bool>("--allow-mainnet") { Description = "Allow a public mainnet chain id; refused otherwise." };
        var logFile = CliLog.FileOption();
        var logLevel = CliLog.LevelOption();
        var command = new Command("sweep", """
            Return what is left in a run's wallets (same funder key, --seed, --wallets, --shard) to the funder's address;
            with --shard, also what the shard's own funder kept.
            The wallets derive from the funder key and the seed, so the funder key is required.
            Examples:
              FASTLOAD_FUNDER_KEY=0x… fastload sweep --rpc http://127.0.0.1:8545 --wallets 500
              FASTLOAD_FUNDER_KEY=0x… fastload sweep --rpc https://rpc.example/v1 --header 'Authorization: Bearer $RPC_TOKEN' --wallets 500
            """)
        {
            rpc, wallets, seed, shard, to, allowMainnet, logFile, logLevel,
        };
        funderKey.AddTo(command);
        var connection = new ConnectionFlags();
        connection.AddTo(command);
        command.SetAction(parse =>
        {
            CliLog? log = null;
            try
            {
                if (parse.GetValue(to) is not null)
                    throw new ArgumentException("--to is not supported: sweep returns funds to the funder's address only (the one of FASTLOAD_FUNDER_KEY, --funder-key-file or --funder-mnemonic-file)");
                PrivateKey funder = WalletKeys.Funder(funderKey.Read(parse, "sweep"));
                Shard shardValue = Shard.Parse(parse.GetValue(shard)!);
                shardValue.EnsureOwnsWallets(parse.GetValue(wallets));
                string[] urls = parse.GetValue(rpc)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                (IReadOnlyList<NodeHeader> headers, TlsOptions tls) = connection.Read(parse, urls.Length, "sweep");
                var endpoints = new RpcEndpoint[urls.Length];
                for (int i = 0; i < urls.Length; i++) endpoints[i] = RpcEndpoint.Parse(urls[i], new RpcConnectOptions { Headers = NodeHeader.For(headers, i), Tls = tls });
                log = CliLog.Create("sweep", parse.GetValue(logFile), parse.GetValue(logLevel)!, Console.WriteLine);
                var apis = new List<RpcClient>();
                try
                {
                    foreach (RpcEndpoint endpoint in endpoints) apis.Add(RpcClient.ConnectAsync(endpoint).GetAwaiter().GetResult());
                    foreach (RpcClient api in apis) ChainGuard.EnsureAllowed(api.GetChainIdAsync().GetAwaiter().GetResult(), api.Endpoint.Url, parse.GetValue(allowMainnet));
                    WalletSet set = WalletSet.Derive(funder, parse.GetValue(seed)!, parse.GetValue(wallets), shardValue, 1, apis.Count);
                    log.Logger.SweepStart(set.All.Length, apis.Count, funder.Address.ToString());
                    Sweeper.SweepAsync(apis, set, funder, log.Logger, CancellationToken.None).GetAwaiter().GetResult(); // and a shard's own funder
                }
                finally
                {
                    foreach (RpcClient api in apis) api.DisposeAsync().AsTask().GetAwaiter().GetResult();
                }
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or RpcTransportException or RpcException or RunSetupException)
            {
                Console.Error.WriteLine($"fastload sweep: {EnvironmentOptions.Annotate(e.Message)}");
                log?.Logger.CommandFailed("sweep", e.Message);
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
